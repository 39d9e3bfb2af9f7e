/**
 * Every benchmark of {@code levee bench}: each measures against a baseline taken in the same run
 * and prints ratios (the data-plane program against an XDP_PASS floor; the flood generators
 * against the socket generator into a veth pair).
 */
package org.levee.bench;
