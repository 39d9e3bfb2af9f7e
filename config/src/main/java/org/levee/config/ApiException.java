package org.levee.config;

import java.util.List;

/**
 * A request the agent's or the controller's API refuses: the HTTP status and what is wrong,
 * naming the field. {@link JsonApi#handler} answers it as {@code {"error": …}}, with every
 * problem listed in {@code problems} when there are several.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final List<String> problems;

    public ApiException(int status, String message) {
        this(status, List.of(message));
    }

    public ApiException(int status, List<String> problems) {
        super(String.join("; ", problems));
        this.status = status;
        this.problems = List.copyOf(problems);
    }

    public int status() {
        return status;
    }

    public List<String> problems() {
        return problems;
    }
}
