package org.levee.store.etcd;

import java.util.Arrays;
import java.util.Objects;

/**
 * One condition of a transaction: a key's (or every key of a range's) create revision, mod
 * revision, version or value compared with a number or bytes. etcd runs a transaction's success
 * operations only when all its conditions hold, atomically.
 *
 * @param keys the key, or every key of a prefix (the condition must hold for each)
 * @param target what of the key is compared
 * @param operator how
 * @param number the number compared with (revisions, version)
 * @param value the bytes compared with ({@link Target#VALUE})
 */
public record Compare(KeyRange keys, Target target, Operator operator, long number, byte[] value) {

    /** What of a key a condition looks at. A missing key has create revision, mod revision and version 0. */
    public enum Target {
        CREATE_REVISION,
        MOD_REVISION,
        VERSION,
        VALUE
    }

    /** The comparison. */
    public enum Operator {
        EQUAL,
        NOT_EQUAL,
        GREATER,
        LESS
    }

    public Compare {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(operator, "operator");
        value = value == null ? new byte[0] : value.clone();
    }

    /** The key does not exist. */
    public static Compare absent(String key) {
        return new Compare(KeyRange.key(key), Target.CREATE_REVISION, Operator.EQUAL, 0, null);
    }

    /** The key exists. */
    public static Compare exists(String key) {
        return new Compare(KeyRange.key(key), Target.CREATE_REVISION, Operator.GREATER, 0, null);
    }

    /** The key exists and was created at {@code revision} (the same key, not a later re-creation). */
    public static Compare createdAt(String key, long revision) {
        return new Compare(KeyRange.key(key), Target.CREATE_REVISION, Operator.EQUAL, revision, null);
    }

    /** The key was last written at {@code revision} (0: it does not exist). */
    public static Compare modifiedAt(String key, long revision) {
        return new Compare(KeyRange.key(key), Target.MOD_REVISION, Operator.EQUAL, revision, null);
    }

    /** No key of {@code keys} was written after {@code revision}. */
    public static Compare unmodifiedSince(KeyRange keys, long revision) {
        return new Compare(keys, Target.MOD_REVISION, Operator.LESS, revision + 1, null);
    }

    /** The key holds exactly {@code value}. */
    public static Compare valueIs(String key, byte[] value) {
        return new Compare(KeyRange.key(key), Target.VALUE, Operator.EQUAL, 0, value);
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    byte[] valueBytes() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Compare c
                && keys.equals(c.keys)
                && target == c.target
                && operator == c.operator
                && number == c.number
                && Arrays.equals(value, c.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(keys, target, operator, number, Arrays.hashCode(value));
    }

    @Override
    public String toString() {
        String what = switch (target) {
            case CREATE_REVISION -> "create_revision";
            case MOD_REVISION -> "mod_revision";
            case VERSION -> "version";
            case VALUE -> "value";
        };
        String op = switch (operator) {
            case EQUAL -> "==";
            case NOT_EQUAL -> "!=";
            case GREATER -> ">";
            case LESS -> "<";
        };
        return what + "(" + keys + ") " + op + " " + (target == Target.VALUE ? value.length + " bytes" : number);
    }
}
