/**
 * Upstream actions over BGP, for floods larger than the server's link.
 *
 * <p>{@link org.levee.upstream.FlowSpecTranslator} turns a rule into FlowSpec routes when, and only
 * when, FlowSpec can express its match exactly (else it refuses, saying why);
 * {@link org.levee.upstream.Upstream} decides which rules go upstream and how (per-rule opt-in or
 * the attack's share of the link) and gives the desired set of {@link org.levee.upstream.Route}s;
 * {@link org.levee.upstream.UpstreamAnnouncer} makes a {@link org.levee.upstream.BgpSpeaker}'s
 * routes equal to that set, withdrawing anything else, also after a restart of either side;
 * {@link org.levee.upstream.UpstreamKeeper} does so for the live rules of the agent or the leading
 * controller, at once after each change and periodically, and says where each rule stands
 * ({@link org.levee.upstream.UpstreamJson} for the APIs).
 * docs/operations.md ("Upstream: BGP FlowSpec and blackholing") is the operator's view.
 */
package org.levee.upstream;
