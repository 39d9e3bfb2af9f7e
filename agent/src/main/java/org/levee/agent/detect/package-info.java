/**
 * The sampler thread: samples into the detector, decisions into rule changes, attacks under way,
 * and the sample rate that follows the traffic.
 */
package org.levee.agent.detect;
