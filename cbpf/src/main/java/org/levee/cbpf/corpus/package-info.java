/**
 * Seeded corpora of Ethernet frames that filters meet: the differential tests of cbpf, compiler
 * and cli run every engine over them, and {@code levee bench compiler} times the reference
 * filters on them. Main code (not a test-jar) so that the bench module can use them too.
 */
package org.levee.cbpf.corpus;
