package org.levee.detector.fingerprint;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.levee.detector.sample.DecodedPacket;
import org.levee.detector.sample.TrafficClass;

/**
 * What an attack's packets have in common: their traffic class, IP version, and a value for each
 * of some header fields. An empty field map means "every packet of the class".
 *
 * @param trafficClass the class the attack was detected in
 * @param ipVersion 4 or 6
 * @param values field values, in {@link Field} order
 */
public record Fingerprint(TrafficClass trafficClass, int ipVersion, Map<Field, Object> values) {

    public Fingerprint {
        Objects.requireNonNull(trafficClass, "trafficClass");
        if (ipVersion != 4 && ipVersion != 6) {
            throw new IllegalArgumentException("fingerprint IP version must be 4 or 6, not " + ipVersion);
        }
        EnumMap<Field, Object> copy = new EnumMap<>(Field.class);
        values.forEach((field, value) -> copy.put(
                Objects.requireNonNull(field, "fingerprint field"),
                Objects.requireNonNull(value, () -> "fingerprint field " + field + " has no value")));
        values = Collections.unmodifiableMap(copy);
    }

    /** True when {@code p} is of the class and IP version and has every field's value. */
    public boolean matches(DecodedPacket p) {
        if (p.ipVersion() != ipVersion || (trafficClass != TrafficClass.ALL && p.trafficClass() != trafficClass)) {
            return false;
        }
        for (Map.Entry<Field, Object> e : values.entrySet()) {
            if (!e.getValue().equals(e.getKey().valueOf(p))) {
                return false;
            }
        }
        return true;
    }

    /** The transport protocol a rule for this fingerprint is about, or -1 when not fixed. */
    public int transportProtocol() {
        if (values.get(Field.PROTOCOL) instanceof Integer protocol) {
            return protocol;
        }
        return switch (trafficClass) {
            case TCP_SYN, TCP_OTHER -> DecodedPacket.TCP;
            case UDP -> DecodedPacket.UDP;
            default -> -1;
        };
    }

    @Override
    public String toString() {
        String fields = values.entrySet().stream()
                .map(e -> e.getKey().name().toLowerCase() + "=" + e.getKey().format(e.getValue()))
                .collect(Collectors.joining(" "));
        return "IPv" + ipVersion + " " + trafficClass + (fields.isEmpty() ? "" : " " + fields);
    }
}
