package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Yjs's {@code createObfuscator}: replaces the content of every item of an update by a stand-in of the same
 * length and kind (the n-th item's values become n, its text n % 10 repeated), keeping the structure, so that a
 * bug can be reported with an update that tells nothing. Map keys, XML node and hook names and formatting keys
 * are renamed consistently; formatting values map to {@code {"i": n}} per distinct value (objects count as
 * distinct, as the JavaScript Map that Yjs keys them by does). Not thread-safe: one instance per update.
 */
final class Obfuscator implements UnaryOperator<AbstractStruct> {
  private final boolean formatting;
  private final boolean subdocs;
  private final boolean xml;
  private int i;
  private final Map<String, String> mapKeys = new HashMap<>();
  private final Map<String, String> nodeNames = new HashMap<>();
  private final Map<String, String> formattingKeys = new HashMap<>();
  private final Map<Object, Object> formattingValues = new HashMap<>();
  private final Map<Object, Object> formattingObjectValues = new IdentityHashMap<>();

  Obfuscator(boolean formatting, boolean subdocs, boolean xml) {
    this.formatting = formatting;
    this.subdocs = subdocs;
    this.xml = xml;
    formattingValues.put(null, null); // the end of a formatting range stays the end of one
  }

  @Override
  public AbstractStruct apply(AbstractStruct block) {
    if (!(block instanceof Item item)) {
      return block;
    }
    Content content = item.content;
    Content replaced = content;
    if (content instanceof ContentType ct) {
      if (xml && ct.type instanceof YXmlElement el) {
        replaced = new ContentType(new YXmlElement(nodeNames.computeIfAbsent(el.nodeName(), k -> "node-" + i)));
      } else if (xml && ct.type instanceof YXmlHook hook) {
        replaced = new ContentType(new YXmlHook(nodeNames.computeIfAbsent(hook.hookName(), k -> "hook-" + i)));
      }
    } else if (content instanceof ContentJson json) {
      replaced = new ContentJson(repeated(json.length()));
    } else if (content instanceof ContentAny any) {
      replaced = new ContentAny(repeated(any.length()));
    } else if (content instanceof ContentBinary) {
      replaced = new ContentBinary(new byte[] {(byte) i});
    } else if (content instanceof ContentDoc doc) {
      if (subdocs) {
        replaced = new ContentDoc(Doc.subdocument(Integer.toString(i), Map.of()), new LinkedHashMap<>());
      }
    } else if (content instanceof ContentEmbed) {
      replaced = new ContentEmbed(new LinkedHashMap<>());
    } else if (content instanceof ContentFormat f) {
      if (formatting) {
        String key = formattingKeys.computeIfAbsent(f.key, k -> Integer.toString(i));
        Object value = formattingValue(f.value);
        replaced = new ContentFormat(key, value);
      }
    } else if (content instanceof ContentString s) {
      replaced = ContentString.of(String.valueOf(i % 10).repeat(s.length()));
    } else if (!(content instanceof ContentDeleted)) {
      throw new IllegalStateException("unknown content " + content.getClass().getSimpleName());
    }
    String parentSub = item.parentSub == null ? null : mapKeys.computeIfAbsent(item.parentSub, k -> Integer.toString(i));
    i++;
    if (replaced == content && parentSub == item.parentSub) {
      return item;
    }
    return new Item(item.client, item.clock, null, item.origin, null, item.rightOrigin, item.parent, parentSub, replaced);
  }

  private Object formattingValue(Object value) {
    if (value == null) {
      return null;
    }
    Map<Object, Object> cache = value instanceof Map || value instanceof List ? formattingObjectValues : formattingValues;
    Object key = value instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1L << 31
        ? (Object) d.intValue() : value;
    return cache.computeIfAbsent(key, k -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("i", i);
      return m;
    });
  }

  private ArrayList<Object> repeated(int n) {
    ArrayList<Object> out = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      out.add(i);
    }
    return out;
  }
}
