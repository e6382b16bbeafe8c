package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.JsObjects;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A JavaScript object literal ({@code {}}) as Yjs's text code fills and reads one. The key {@code "__proto__"} is
 * the accessor that {@code Object.prototype} defines: {@code obj.__proto__ = value} replaces the prototype if the
 * value is an object or null (else does nothing) and makes no entry, and {@code obj.__proto__} reads the prototype;
 * once the prototype is null, the accessor is out of reach, so the key reads undefined and a write makes an entry.
 * Other keys read the own entries, then the prototype's; {@code for...in} lists both. Yjs's {@code YTextEvent.delta}
 * keeps the attributes of a retain in such an object.
 *
 * <p>Not thread-safe.
 */
final class JsObject {
  /** {@code Object.prototype} as {@link YText#equalAttrs} sees it: an object without keys (its own instance). */
  static final Map<String, Object> OBJECT_PROTOTYPE = Collections.unmodifiableMap(new LinkedHashMap<>());
  /** A null prototype. */
  private static final Object NONE = new Object();

  private final Map<String, @Nullable Object> own = new LinkedHashMap<>();
  private Object prototype = OBJECT_PROTOTYPE;

  /** Whether {@code obj.__proto__} is still Object.prototype's accessor (not lost with a null prototype). */
  private boolean protoAccessor() {
    return !own.containsKey(JsObjects.PROTO) && prototype != NONE
        && !(prototype instanceof Map<?, ?> m && m.containsKey(JsObjects.PROTO));
  }

  /** {@code obj[key] = value}. */
  void set(String key, @Nullable Object value) {
    if (key.equals(JsObjects.PROTO) && protoAccessor()) {
      if (value == null) {
        prototype = NONE;
      } else if (YText.isJsObject(value)) {
        prototype = value;
      }
    } else {
      own.put(key, value);
    }
  }

  /** {@code delete obj[key]} (the prototype is no entry: deleting it does nothing). */
  void delete(String key) {
    own.remove(key);
  }

  /** {@code obj[key] !== undefined}. */
  boolean has(String key) {
    return get(key) != Undefined.INSTANCE;
  }

  /** {@code obj[key]}: {@link Undefined#INSTANCE} if neither the object nor its prototype has the key. */
  @Nullable Object get(String key) {
    if (own.containsKey(key)) {
      return own.get(key);
    }
    if (key.equals(JsObjects.PROTO) && protoAccessor()) {
      return prototype;
    }
    return prototype == OBJECT_PROTOTYPE || prototype == NONE ? Undefined.INSTANCE : YText.jsGet(prototype, key);
  }

  /** Whether {@code for...in} finds no key (lib0's {@code object.isEmpty}): none of its own, none inherited. */
  boolean isEmpty() {
    return own.isEmpty() && (prototype == OBJECT_PROTOTYPE || prototype == NONE || YText.jsKeys(prototype).isEmpty());
  }

  /**
   * {@code Object.assign({}, obj)}: the own entries, written into a new object (where {@code "__proto__"} again
   * makes no entry).
   */
  Map<String, @Nullable Object> ownEntries() {
    Map<String, @Nullable Object> out = new LinkedHashMap<>(own);
    out.remove(JsObjects.PROTO);
    return Collections.unmodifiableMap(out);
  }
}
