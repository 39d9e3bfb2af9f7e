package org.levee.controller.api;

import java.util.List;

/** A request the API refuses: the HTTP status and what is wrong, naming the field. */
final class ApiException extends RuntimeException {
    private final int status;
    private final List<String> problems;

    ApiException(int status, String message) {
        this(status, List.of(message));
    }

    ApiException(int status, List<String> problems) {
        super(String.join("; ", problems));
        this.status = status;
        this.problems = List.copyOf(problems);
    }

    int status() {
        return status;
    }

    List<String> problems() {
        return problems;
    }
}
