/**
 * The lab of {@code levee demo} and {@code levee lab}: network namespaces for an edge node,
 * legitimate clients and attackers ({@link org.levee.lab.DemoLab}); floods of each
 * {@link org.levee.lab.FloodKind} with the fields the real attack varies randomised
 * ({@link org.levee.lab.FloodFrames}), sent by one of two {@link org.levee.lab.FloodGenerator}s:
 * XDP live frames where the kernel allows them ({@link org.levee.lab.LiveFramesGenerator}, an
 * XDP program that rewrites the fields per packet), an AF_XDP socket everywhere else
 * ({@link org.levee.lab.SocketGenerator}, a ring of distinct frames drawn by
 * {@link org.levee.lab.RandomFrames}); steady legitimate UDP and TCP requests whose fate is
 * logged by sequence number ({@link org.levee.lab.LegitTraffic}, {@link org.levee.lab.DeliveryLog}).
 */
package org.levee.lab;
