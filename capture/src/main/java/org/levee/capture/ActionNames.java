package org.levee.capture;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.levee.ebpf.XdpAction;

/** How a capture names XDP actions: on the command line, in summaries and as pcapng interfaces. */
public final class ActionNames {
    private ActionNames() {}

    /** The lower-case name used on the command line and in summaries: {@code drop}. */
    public static String label(XdpAction action) {
        return action.name().toLowerCase(Locale.ROOT);
    }

    /** The pcapng interface name xdpcap gives packets of {@code action}: {@code XDPdrop}. */
    public static String interfaceName(XdpAction action) {
        return "XDP" + label(action);
    }

    /** "drop,pass" for the given actions in slot order. */
    public static String labels(Set<XdpAction> actions) {
        List<String> names = new ArrayList<>();
        for (XdpAction a : XdpAction.values()) {
            if (actions.contains(a)) {
                names.add(label(a));
            }
        }
        return String.join(",", names);
    }

    /**
     * Parses a comma-separated list of action names ({@code drop,pass}); blanks around names are
     * ignored, repeats are merged.
     *
     * @throws IllegalArgumentException naming the bad entry and its position
     */
    public static Set<XdpAction> parseList(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the action list is empty: give one or more of " + all());
        }
        Set<XdpAction> actions = EnumSet.noneOf(XdpAction.class);
        String[] parts = text.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String name = parts[i].strip().toLowerCase(Locale.ROOT);
            XdpAction found = null;
            for (XdpAction a : XdpAction.values()) {
                if (label(a).equals(name)) {
                    found = a;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("action " + (i + 1) + " of '" + text + "' is '" + parts[i].strip()
                        + "': expected one of " + all().replace(",", ", "));
            }
            actions.add(found);
        }
        return actions;
    }

    private static String all() {
        return labels(EnumSet.allOf(XdpAction.class));
    }
}
