/**
 * Synthetic traffic with the headers real stacks and attack tools put on the wire, and scenarios
 * that turn flows over simulated time into the sample stream a data plane would produce. The
 * detector's tests are calibrated against it, and {@code levee bench detector} measures the
 * detector on it; it is main code (not a test-jar) so that the bench module can use it too.
 */
package org.levee.detector.synth;
