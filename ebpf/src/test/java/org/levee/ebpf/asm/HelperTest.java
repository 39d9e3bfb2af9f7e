package org.levee.ebpf.asm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.levee.testing.Requirements;

class HelperTest {

    @Test
    void idsLeveeUsesAreTheKernels() {
        assertThat(Helper.MAP_LOOKUP_ELEM.id()).isEqualTo(1);
        assertThat(Helper.MAP_UPDATE_ELEM.id()).isEqualTo(2);
        assertThat(Helper.KTIME_GET_NS.id()).isEqualTo(5);
        assertThat(Helper.GET_PRANDOM_U32.id()).isEqualTo(7);
        assertThat(Helper.GET_SMP_PROCESSOR_ID.id()).isEqualTo(8);
        assertThat(Helper.TAIL_CALL.id()).isEqualTo(12);
        assertThat(Helper.REDIRECT.id()).isEqualTo(23);
        assertThat(Helper.XDP_ADJUST_HEAD.id()).isEqualTo(44);
        assertThat(Helper.REDIRECT_MAP.id()).isEqualTo(51);
        assertThat(Helper.RINGBUF_OUTPUT.id()).isEqualTo(130);
        assertThat(Helper.RINGBUF_RESERVE.id()).isEqualTo(131);
        assertThat(Helper.RINGBUF_SUBMIT.id()).isEqualTo(132);
        assertThat(Helper.RINGBUF_DISCARD.id()).isEqualTo(133);
        assertThat(Helper.CGRP_STORAGE_DELETE.id()).isEqualTo(211);
        assertThat(Helper.of(131)).contains(Helper.RINGBUF_RESERVE);
        assertThat(Helper.of(212)).isEmpty();
        assertThat(Helper.MAP_LOOKUP_ELEM.kernelName()).isEqualTo("bpf_map_lookup_elem");
    }

    /** The enum follows the helper mapper macro of the installed uapi header, name for name. */
    @Test
    void matchesTheInstalledUapiHeader() throws IOException {
        Path header = Path.of("/usr/include/linux/bpf.h");
        Requirements.require(Files.exists(header), "needs " + header + " (Debian package linux-libc-dev)");
        String text = Files.readString(header);
        // Linux 6.1 has __BPF_FUNC_MAPPER(FN) with FN(name); later kernels ___BPF_FUNC_MAPPER(FN, ctx...) with FN(name,
        // id, ctx).
        Matcher define = Pattern.compile("#define _{2,3}BPF_FUNC_MAPPER\\(").matcher(text);
        assertThat(define.find()).as("the helper mapper macro in " + header).isTrue();
        String mapper = text.substring(define.start(), text.indexOf("/* */", define.start()));
        List<String> names = new ArrayList<>();
        Matcher fn = Pattern.compile("FN\\((\\w+)[,)]").matcher(mapper);
        while (fn.find()) {
            names.add(fn.group(1));
        }
        assertThat(names).hasSizeGreaterThan(200);
        for (int id = 0; id < names.size(); id++) {
            assertThat(Helper.of(id))
                    .as("helper %d", id)
                    .map(h -> h.name().toLowerCase(Locale.ROOT))
                    .contains(names.get(id));
        }
    }
}
