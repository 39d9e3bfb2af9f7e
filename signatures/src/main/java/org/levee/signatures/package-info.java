/**
 * cBPF generators: DNS query names, p0f TCP SYN signatures, packet suffixes, malformed DNS.
 */
package org.levee.signatures;
