package ai.candlefish.collab.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CompactMultiMapTest {
  @Test
  void readsLikeTheMapItCopies_inOrder() {
    long seed = new Random().nextLong();
    System.out.println("CompactMultiMapTest seed " + seed);
    Random random = new Random(seed);
    for (int round = 0; round < 500; round++) {
      Map<String, List<String>> expected = new LinkedHashMap<>();
      int names = random.nextInt(8);
      for (int i = 0; i < names; i++) {
        List<String> values = new ArrayList<>();
        int count = random.nextInt(4); // none, one or several values
        for (int v = 0; v < count; v++) {
          values.add(random.nextBoolean() ? "" : "v" + random.nextInt(1000) + "é,; x");
        }
        expected.put(random.nextBoolean() ? "host" : "name" + random.nextInt(20), List.copyOf(values));
      }
      CompactMultiMap actual = CompactMultiMap.copyOf(expected);
      assertThat(actual).as("seed %d", seed).isEqualTo(expected);
      assertThat(actual.hashCode()).isEqualTo(expected.hashCode());
      assertThat(List.copyOf(actual.keySet())).isEqualTo(List.copyOf(expected.keySet()));
      assertThat(List.copyOf(actual.values())).isEqualTo(List.copyOf(expected.values()));
      for (String name : expected.keySet()) {
        assertThat(actual.get(name)).isEqualTo(expected.get(name));
        assertThat(actual.containsKey(name)).isTrue();
      }
      assertThat(actual.get("absent")).isNull();
      assertThat(actual.containsKey("absent")).isFalse();
    }
  }

  @Test
  void isImmutable() {
    CompactMultiMap map = CompactMultiMap.copyOf(Map.of("a", List.of("1", "2")));
    assertThatThrownBy(() -> map.put("b", List.of())).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> map.remove("a")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> map.keySet().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> map.get("a").add("3")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> map.entrySet().iterator().next().setValue(List.of()))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
