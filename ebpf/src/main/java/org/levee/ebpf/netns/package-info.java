/** Network namespaces: running code inside one, and a lab of namespaces and veth pairs. */
package org.levee.ebpf.netns;
