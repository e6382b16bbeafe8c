package ai.candlefish.collab.spi;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable map of names to lists of values in five objects, whatever its size: the names, one string with every
 * value, and where each ends. A server keeps a {@link ConnectionInfo} (its request headers and query parameters) for
 * each of its 10,000s of connections, and a {@code LinkedHashMap} of lists costs about 200 bytes a header; the lists
 * here are made when asked for (the authenticator and the hooks ask a few times per connection).
 */
final class CompactMultiMap extends AbstractMap<String, List<String>> {
  static final CompactMultiMap EMPTY = new CompactMultiMap(new String[0], new int[0], "");

  /** Header names most requests carry, shared by every map instead of a copy per connection. */
  private static final Map<String, String> COMMON_NAMES = Map.ofEntries(
      common("host"), common("connection"), common("upgrade"), common("origin"), common("user-agent"),
      common("cookie"), common("authorization"), common("pragma"), common("cache-control"),
      common("accept-encoding"), common("accept-language"), common("sec-websocket-key"),
      common("sec-websocket-version"), common("sec-websocket-extensions"), common("sec-websocket-protocol"),
      common("x-forwarded-for"), common("x-forwarded-proto"), common("x-forwarded-host"), common("x-real-ip"),
      common("forwarded"));

  private final String[] names;
  /**
   * For name {@code i}, {@code ends[i]} is one past the index (in the rest of this array, from {@code names.length})
   * of its last value; value {@code j}'s text ends at {@code ends[names.length + j]} in {@link #values}.
   */
  private final int[] ends;
  private final String values;

  private CompactMultiMap(String[] names, int[] ends, String values) {
    this.names = names;
    this.ends = ends;
    this.values = values;
  }

  private static Map.Entry<String, String> common(String name) {
    return Map.entry(name, name);
  }

  /** A compact copy of {@code map}, in its iteration order; its lists must not be empty or hold null. */
  static CompactMultiMap copyOf(Map<String, List<String>> map) {
    if (map.isEmpty()) {
      return EMPTY;
    }
    int valueCount = 0;
    for (List<String> list : map.values()) {
      valueCount += list.size();
    }
    String[] names = new String[map.size()];
    int[] ends = new int[names.length + valueCount];
    StringBuilder text = new StringBuilder();
    int i = 0;
    int j = 0;
    for (Map.Entry<String, List<String>> e : map.entrySet()) {
      names[i] = COMMON_NAMES.getOrDefault(e.getKey(), e.getKey());
      for (String value : e.getValue()) {
        text.append(value);
        ends[names.length + j++] = text.length();
      }
      ends[i++] = j;
    }
    return new CompactMultiMap(names, ends, text.toString());
  }

  @Override
  public int size() {
    return names.length;
  }

  @Override
  public boolean containsKey(Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  public List<String> get(Object key) {
    int i = indexOf(key);
    return i < 0 ? null : valuesOf(i);
  }

  private int indexOf(Object key) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(key)) {
        return i;
      }
    }
    return -1;
  }

  private List<String> valuesOf(int i) {
    int first = i == 0 ? 0 : ends[i - 1];
    String[] out = new String[ends[i] - first];
    for (int j = 0; j < out.length; j++) {
      int value = names.length + first + j;
      int start = value == names.length ? 0 : ends[value - 1];
      out[j] = values.substring(start, ends[value]);
    }
    return List.of(out);
  }

  @Override
  public Set<Map.Entry<String, List<String>>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return names.length;
      }

      @Override
      public Iterator<Map.Entry<String, List<String>>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < names.length;
          }

          @Override
          public Map.Entry<String, List<String>> next() {
            if (next >= names.length) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return Map.entry(names[i], valuesOf(i));
          }
        };
      }
    };
  }
}
