package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Json;
import java.util.List;
import java.util.Map;

/**
 * JavaScript's {@code String(value)}, which Yjs's XML {@code toString()} applies to attribute values and to what
 * an XML text embeds.
 */
final class JsStrings {
  private JsStrings() {}

  static String of(Object v) {
    if (v == null) {
      return "null";
    }
    if (v == Undefined.INSTANCE) {
      return "undefined";
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d)) {
        return "NaN";
      }
      if (Double.isInfinite(d)) {
        return d > 0 ? "Infinity" : "-Infinity";
      }
      return Json.numberToString(d);
    }
    if (v instanceof byte[] bytes) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < bytes.length; i++) {
        sb.append(i == 0 ? "" : ",").append(bytes[i] & 0xFF);
      }
      return sb.toString();
    }
    if (v instanceof List<?> list) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < list.size(); i++) {
        Object e = list.get(i);
        sb.append(i == 0 ? "" : ",").append(e == null || e == Undefined.INSTANCE ? "" : of(e));
      }
      return sb.toString();
    }
    if (v instanceof YText || v instanceof YXmlFragment) {
      // Yjs's text and XML types define toString(); maps, arrays, hooks and documents do not.
      return v.toString();
    }
    if (v instanceof Map<?, ?> || v instanceof SharedType || v instanceof Doc) {
      return "[object Object]";
    }
    return v.toString();
  }
}
