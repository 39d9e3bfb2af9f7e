/**
 * xdpcap: capture programs in the exit hook, pcapng writer.
 */
package org.levee.capture;
