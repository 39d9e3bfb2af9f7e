package org.levee.capture;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The XDP verdicts, numbered as in {@code enum xdp_action}; the number is also the action's slot
 * in an xdpcap hook (a program array tail-called with the action as the index).
 */
public enum XdpAction {
    ABORTED(0),
    DROP(1),
    PASS(2),
    TX(3),
    REDIRECT(4);

    private final int value;

    XdpAction(int value) {
        this.value = value;
    }

    /** The kernel's value of the action, and its slot in the hook. */
    public int value() {
        return value;
    }

    /** The lower-case name used on the command line and in summaries ({@code drop}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The pcapng interface name xdpcap gives packets of this action ({@code XDPdrop}). */
    public String interfaceName() {
        return "XDP" + label();
    }

    /** The action with kernel value {@code value}. */
    public static XdpAction of(int value) {
        for (XdpAction a : values()) {
            if (a.value == value) {
                return a;
            }
        }
        throw new IllegalArgumentException("XDP action " + value + " is not one of 0 (aborted) … 4 (redirect)");
    }

    /**
     * Parses a comma-separated list of action names ({@code drop,pass}); blanks around names are
     * ignored, repeats are merged.
     *
     * @throws IllegalArgumentException naming the bad entry and its position
     */
    public static Set<XdpAction> parseList(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the action list is empty: give one or more of " + names());
        }
        Set<XdpAction> actions = EnumSet.noneOf(XdpAction.class);
        String[] parts = text.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String name = parts[i].strip().toLowerCase(Locale.ROOT);
            XdpAction found = null;
            for (XdpAction a : values()) {
                if (a.label().equals(name)) {
                    found = a;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("action " + (i + 1) + " of '" + text + "' is '" + parts[i].strip()
                        + "': expected one of " + names());
            }
            actions.add(found);
        }
        return actions;
    }

    private static String names() {
        List<String> names = new ArrayList<>();
        for (XdpAction a : values()) {
            names.add(a.label());
        }
        return String.join(", ", names);
    }
}
