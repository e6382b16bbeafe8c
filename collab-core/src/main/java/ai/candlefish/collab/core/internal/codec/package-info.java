/**
 * lib0's binary encoding (varints, strings, the {@code any} format) and JavaScript-exact JSON, as Yjs and
 * y-protocols use them. Internal: not part of the public API, may change without notice.
 */
package ai.candlefish.collab.core.internal.codec;
