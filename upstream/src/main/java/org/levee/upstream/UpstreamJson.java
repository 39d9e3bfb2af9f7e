package org.levee.upstream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;
import org.levee.rules.UpstreamMode;

/**
 * The upstream side as the HTTP APIs of the agent and the controller show it, in one shape:
 * {@code upstream_status} beside a rule ({@link #rule}, {@link #notConfigured}) and {@code upstream}
 * in {@code GET /status} ({@link #status}). docs/operations.md shows both.
 */
public final class UpstreamJson {
    private UpstreamJson() {}

    /**
     * A rule's {@code upstream_status}: {@code mode}, {@code basis} (requested, configured,
     * automatic), {@code why}, {@code phase} (announced, pending, refused, failed, standby),
     * {@code detail}, {@code routes} (one line each) and {@code notes}.
     */
    public static ObjectNode rule(AnnouncementState state) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        UpstreamDecision d = state.decision();
        n.put("mode", d.mode().keyword());
        n.put("basis", d.basis().keyword());
        n.put("why", d.why());
        n.put("phase", state.phase().keyword());
        n.put("detail", state.detail());
        ArrayNode routes = n.putArray("routes");
        state.routes().forEach(r -> routes.add(r.toString()));
        ArrayNode notes = n.putArray("notes");
        if (d.translation() instanceof Translation.Translated ok) {
            ok.notes().forEach(notes::add);
        }
        return n;
    }

    /** The {@code upstream_status} of a rule asking for {@code requested} on a process with no {@code upstream:} section. */
    public static ObjectNode notConfigured(UpstreamMode requested) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("mode", requested.keyword());
        n.put("basis", UpstreamDecision.Basis.REQUESTED.keyword());
        n.put("phase", "unconfigured");
        n.put("detail", "nothing is announced: this process has no upstream: section in its configuration");
        n.putArray("routes");
        n.putArray("notes");
        return n;
    }

    /** The keeper's status: the speaker, whether this process announces, the last synchronisation, counts. */
    public static ObjectNode status(UpstreamStatus s) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("speaker", s.speaker());
        n.put("active", s.active());
        n.put("standby_reason", s.standbyReason());
        n.put("speaker_up", s.speakerUp());
        n.put("last_attempt", s.lastAttempt().map(Object::toString).orElse(null));
        n.put("last_success", s.lastSuccess().map(Object::toString).orElse(null));
        n.put("last_error", s.lastError().orElse(null));
        ObjectNode sessions = n.putObject("sessions");
        s.sessions().forEach(sessions::put);
        ObjectNode routes = n.putObject("routes");
        for (Map.Entry<String, Integer> e : new TreeMap<>(s.routes()).entrySet()) {
            routes.put(e.getKey(), e.getValue());
        }
        ArrayNode refused = n.putArray("refused");
        for (Translation.Refused r : s.refused()) {
            ObjectNode x = refused.addObject();
            x.put("rule", r.ruleId());
            x.put("reason", r.reason());
        }
        n.put("synchronisations", s.synchronisations());
        n.put("failures", s.failures());
        n.put("announcements", s.announcements());
        n.put("withdrawals", s.withdrawals());
        n.put("refusals", s.refusals());
        return n;
    }
}
