package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Formatted text inside an XML tree (Yjs {@code Y.XmlText}); formatting attributes are rendered as nested tags
 * by {@link #toString()}.
 */
public final class YXmlText extends YText {
  /** A new preliminary, empty XML text. */
  public YXmlText() {}

  /** A new preliminary XML text holding {@code initial}. */
  public YXmlText(String initial) {
    super(initial);
  }

  @Override
  int typeRef() {
    return XML_TEXT;
  }

  @Override
  SharedType copyEmpty() {
    return new YXmlText();
  }

  @Override
  public YXmlText clone() {
    YXmlText copy = new YXmlText();
    copy.applyDelta(deltaForClone());
    return copy;
  }

  /** The next sibling in the parent, or null. */
  public @Nullable SharedType nextSibling() {
    return sibling(true);
  }

  /** The previous sibling in the parent, or null. */
  public @Nullable SharedType prevSibling() {
    return sibling(false);
  }

  /** The text with its formatting as nested tags (sorted by name, attributes sorted), as Yjs writes it. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Delta d : toDelta()) {
      List<String> nodeNames = new ArrayList<>();
      if (d.attributes() != null) {
        nodeNames.addAll(d.attributes().keySet());
      }
      nodeNames.sort(null);
      for (String nodeName : nodeNames) {
        sb.append('<').append(nodeName);
        for (String[] attr : attributesOf(d.attributes().get(nodeName))) {
          sb.append(' ').append(attr[0]).append("=\"").append(attr[1]).append('"');
        }
        sb.append('>');
      }
      sb.append(d.insert() instanceof String s ? s : JsStrings.of(d.insert()));
      for (int i = nodeNames.size() - 1; i >= 0; i--) {
        sb.append("</").append(nodeNames.get(i)).append('>');
      }
    }
    return sb.toString();
  }

  /**
   * What JavaScript's {@code for (key in value)} enumerates: an object's entries, a string's characters, an array's
   * or a Uint8Array's elements.
   */
  private static List<String[]> attributesOf(Object value) {
    List<String[]> out = new ArrayList<>();
    if (value instanceof Map<?, ?> map) {
      for (String key : ai.candlefish.collab.core.internal.codec.JsObjects.orderedKeys(map)) {
        out.add(new String[] {key, JsStrings.of(map.get(key))});
      }
    } else if (value instanceof String s) {
      for (int i = 0; i < s.length(); i++) {
        out.add(new String[] {String.valueOf(i), String.valueOf(s.charAt(i))});
      }
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        out.add(new String[] {String.valueOf(i), JsStrings.of(list.get(i))});
      }
    } else if (value instanceof byte[] bytes) {
      for (int i = 0; i < bytes.length; i++) {
        out.add(new String[] {String.valueOf(i), String.valueOf(bytes[i] & 0xFF)});
      }
    }
    out.sort((a, b) -> a[0].compareTo(b[0]));
    return out;
  }

  @Override
  public String toJson() {
    return toString();
  }
}
