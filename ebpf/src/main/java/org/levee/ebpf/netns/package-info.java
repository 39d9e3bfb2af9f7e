/** Network namespaces: running code inside one (setns on a platform thread of its own). */
package org.levee.ebpf.netns;
