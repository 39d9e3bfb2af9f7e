package org.levee.ebpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.levee.ebpf.internal.Bpf;
import org.levee.ebpf.internal.BpfObjects;
import org.levee.ebpf.internal.Fd;
import org.levee.ebpf.internal.FdKind;

/**
 * An XDP program attached to an interface through a BPF link. The program stays attached while
 * the link has an fd or a pin; {@link #update} replaces the program atomically (no packet sees
 * "no program"). A second link on the same interface, or a netlink-attached program, makes
 * {@link #attach} fail with EBUSY.
 */
public final class XdpLink implements AutoCloseable {
    private static final int BPF_F_REPLACE = 4;

    private final Fd fd;

    private XdpLink(Fd fd) {
        this.fd = fd;
    }

    /** Attaches {@code program} to the interface with index {@code ifindex} ({@code BPF_LINK_CREATE}). */
    public static XdpLink attach(Program program, int ifindex, XdpMode mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(Bpf.ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, program.fd());
            attr.set(JAVA_INT, 4, ifindex);
            attr.set(JAVA_INT, 8, AttachType.XDP.number());
            attr.set(JAVA_INT, 12, mode.flags());
            int fd = (int) Bpf.call(
                    BpfCommand.BPF_LINK_CREATE,
                    attr,
                    "attach " + program + " to ifindex " + ifindex + " in " + mode + " mode");
            return new XdpLink(new Fd(fd, "XDP link on ifindex " + ifindex));
        }
    }

    /** Attaches to interface {@code ifname}, resolved in the calling thread's network namespace. */
    public static XdpLink attach(Program program, String ifname, XdpMode mode) {
        return attach(program, NetworkInterfaces.index(ifname), mode);
    }

    /** Takes ownership of {@code fd}, which must be an XDP link. */
    public static XdpLink fromFd(int fd) {
        FdKind.require(fd, FdKind.LINK, "open XDP link");
        Fd owned = new Fd(fd, "XDP link");
        try {
            LinkInfo info = readInfo(fd);
            if (info.type() != LinkInfo.TYPE_XDP) {
                throw new IllegalArgumentException("open XDP link: fd " + fd + " is a link of type " + info.type()
                        + ", not an XDP link (type " + LinkInfo.TYPE_XDP + ")");
            }
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
        return new XdpLink(owned);
    }

    /** Opens the link pinned at {@code path}: the program it holds stays attached. */
    public static XdpLink openPinned(Path path) {
        return fromFd(BpfObjects.get(path.toString()));
    }

    /** Opens the link with kernel id {@code id}. */
    public static XdpLink fromId(int id) {
        return fromFd(BpfObjects.fdById(BpfCommand.BPF_LINK_GET_FD_BY_ID, id));
    }

    /** Pins the link at {@code path} (in a bpffs): the program stays attached after this process exits. */
    public void pin(Path path) {
        BpfObjects.pin(fd.get(), path.toString());
    }

    /** Replaces the attached program atomically. */
    public void update(Program newProgram) {
        update(newProgram, null);
    }

    /**
     * Replaces the attached program atomically if it is {@code expectedOld} (BPF_F_REPLACE);
     * otherwise fails with EPERM and leaves the current program in place.
     */
    public void update(Program newProgram, Program expectedOld) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(Bpf.ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, fd.get());
            attr.set(JAVA_INT, 4, newProgram.fd());
            if (expectedOld != null) {
                attr.set(JAVA_INT, 8, BPF_F_REPLACE);
                attr.set(JAVA_INT, 12, expectedOld.fd());
            }
            Bpf.call(
                    BpfCommand.BPF_LINK_UPDATE,
                    attr,
                    "replace the program of " + this + " with " + newProgram
                            + (expectedOld == null ? "" : " if it is " + expectedOld));
        }
    }

    /** Detaches the program now ({@code BPF_LINK_DETACH}), even if pins or other fds still hold the link. */
    public void detach() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(Bpf.ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, fd.get());
            Bpf.call(BpfCommand.BPF_LINK_DETACH, attr, "detach " + this);
        }
    }

    /** Link id, attached program id and interface index. */
    public LinkInfo info() {
        return readInfo(fd.get());
    }

    public int fd() {
        return fd.get();
    }

    /** Closes this fd; the program stays attached while a pin or another fd holds the link. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return fd.toString();
    }

    private static LinkInfo readInfo(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(48, 8);
            BpfObjects.info(fd, info, "link fd " + fd);
            return new LinkInfo(
                    info.get(JAVA_INT, 0), info.get(JAVA_INT, 4), info.get(JAVA_INT, 8), info.get(JAVA_INT, 16));
        }
    }
}
