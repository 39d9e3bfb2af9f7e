package org.levee.sflow;

/**
 * What a sample describes: an sFlow data source, a class and an index within it. The compact
 * sample formats pack it into 32 bits (class 0..255, index 0..2^24-1); the expanded ones give each
 * 32 bits (unsigned).
 *
 * @param sourceClass {@link #IF_INDEX}, {@link #VLAN}, {@link #PHYSICAL_ENTITY}, or another value
 * @param index the interface's ifIndex, the VLAN id or the entity's index (unsigned)
 */
public record SourceId(int sourceClass, int index) {
    /** The data source is an interface; the index is its ifIndex. */
    public static final int IF_INDEX = 0;
    /** The data source is a VLAN (smonVlanDataSource). */
    public static final int VLAN = 1;
    /** The data source is a physical entity (entPhysicalEntry). */
    public static final int PHYSICAL_ENTITY = 2;

    /** The interface with this ifIndex. */
    public static SourceId ifIndex(int ifIndex) {
        return new SourceId(IF_INDEX, ifIndex);
    }

    /** True if the compact formats can carry it: class ≤ 255 and index < 2^24. */
    public boolean fitsCompact() {
        return Integer.compareUnsigned(sourceClass, 0xff) <= 0 && Integer.compareUnsigned(index, 0xff_ffff) <= 0;
    }

    @Override
    public String toString() {
        return Integer.toUnsignedString(sourceClass) + ":" + Integer.toUnsignedString(index);
    }
}
