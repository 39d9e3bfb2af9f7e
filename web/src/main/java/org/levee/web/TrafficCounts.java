package org.levee.web;

/**
 * Packets counted since some start, as a data plane counts them: every counter only grows (until
 * the counters themselves start again).
 *
 * @param seen        packets the program saw
 * @param passed      packets it let through
 * @param dropped     packets drop rules dropped
 * @param ratelimited packets rate-limit rules dropped
 * @param sampled     samples it took
 */
public record TrafficCounts(long seen, long passed, long dropped, long ratelimited, long sampled) {}
