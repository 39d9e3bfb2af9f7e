/**
 * Throw-away network labs for the demo and for every test that sends real packets: uniquely named
 * network namespaces and veth pairs made with {@code ip}, removed on close, and swept after a JVM
 * that made them died ({@link org.levee.netns.NetnsLab}). JDK only, so the lowest modules' tests can
 * use it; running Java code inside a namespace (setns) is the ebpf module's {@code Netns}.
 */
package org.levee.netns;
