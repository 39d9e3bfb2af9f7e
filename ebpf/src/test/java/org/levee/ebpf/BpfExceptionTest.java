package org.levee.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BpfExceptionTest {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "BPF_PROG_LOAD      | 1  | EPERM  | CAP_BPF+CAP_NET_ADMIN+CAP_PERFMON",
                "BPF_MAP_CREATE     | 1  | EPERM  | run as root",
                "BPF_MAP_UPDATE_ELEM| 1  | EPERM  | frozen",
                "BPF_PROG_LOAD      | 28 | ENOSPC | verifier log buffer was too small",
                "BPF_MAP_UPDATE_ELEM| 28 | ENOSPC | map is full",
                "BPF_LINK_CREATE    | 16 | EBUSY  | another XDP program is attached",
                "BPF_LINK_UPDATE    | 1  | EPERM  | not the expected old program",
                "BPF_OBJ_PIN        | 17 | EEXIST | pin path is taken",
                "BPF_OBJ_GET        | 2  | ENOENT | bpffs",
                "BPF_PROG_LOAD      | 13 | EACCES | verifier rejected",
                "BPF_PROG_LOAD      | 7  | E2BIG  | too many instructions",
                "BPF_MAP_UPDATE_ELEM| 7  | E2BIG  | map is full",
                "BPF_MAP_CREATE     | 22 | EINVAL | BPF_F_NO_PREALLOC",
                "BPF_LINK_CREATE    | 95 | EOPNOTSUPP | generic (SKB) mode",
            })
    void theMessageNamesCommandErrnoAndWhatToCheck(BpfCommand command, int errno, String name, String hint) {
        BpfException e = new BpfException(command, errno, "doing something", null);
        assertThat(e.command()).isEqualTo(command);
        assertThat(e.errno()).isEqualTo(errno);
        assertThat(e.errnoName()).isEqualTo(name);
        assertThat(e.hint()).contains(hint);
        assertThat(e.getMessage()).contains("bpf(" + command + ")", name, "doing something", hint);
        assertThat(e.verifierLog()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"3, ESRCH", "999, errno 999"})
    void unknownErrnosStillGetAMessage(int errno, String name) {
        BpfException e = new BpfException(BpfCommand.BPF_MAP_LOOKUP_ELEM, errno, "lookup", "");
        assertThat(e.errnoName()).isEqualTo(name);
        assertThat(e.getMessage()).contains(name, "lookup");
    }
}
