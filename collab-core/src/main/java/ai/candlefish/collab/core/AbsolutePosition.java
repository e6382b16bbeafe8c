package ai.candlefish.collab.core;

/**
 * Where a {@link RelativePosition} is in a document right now: a type and an index in its list part (Yjs
 * {@code AbsolutePosition}). Valid until the document changes; obtain a new one after each change.
 *
 * @param type the type the position is in
 * @param index the index in {@code type}'s list part (text units, array elements, XML children)
 * @param assoc the relative position's {@code assoc}
 */
public record AbsolutePosition(SharedType type, int index, int assoc) {}
