package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Yjs 13.6's own compatibility tests ({@code tests/compatibility.tests.js} at v13.6.31): documents written by Yjs
 * 13.2.0 from its random tests must still read as they did. The documents are Yjs's, in
 * {@code src/test/resources/fixtures/yjs-compat/<name>.update.b64}; {@code <name>.json} is what Yjs 13.6.33 reads
 * from them (written by {@code src/test/js/compatibility-fixtures.mjs}, equal to the literals of Yjs's test).
 */
class YjsCompatibilitySuiteTest {
  private static String resource(String name) throws IOException {
    try (InputStream in = YjsCompatibilitySuiteTest.class.getResourceAsStream("/fixtures/yjs-compat/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
  }

  private static Doc load(String name) throws IOException {
    Doc doc = Doc.create();
    doc.applyUpdate(Base64.getDecoder().decode(resource(name + ".update.b64")));
    DocInvariants.check(doc);
    return doc;
  }

  private static Object expected(String name) throws IOException {
    return YjsInterop.toJava(Json.parse(resource(name + ".json")));
  }

  @Test
  void fixtures_areWhatThePinnedYjsReads() {
    NodeProcess.Result result = NodeProcess.run("compatibility-fixtures.mjs", Duration.ofMinutes(5), "--check");
    assertThat(result.exitCode()).as("stale fixtures:%n%s%s", result.stdout(), result.stderr()).isZero();
  }

  @Test
  void testArrayCompatibilityV1() throws IOException {
    assertThat(load("array").getArray("array").toJson()).isEqualTo(expected("array"));
  }

  @Test
  void testMapDecodingCompatibilityV1() throws IOException {
    assertThat(load("map").getMap("map").toJson()).isEqualTo(expected("map"));
  }

  @Test
  void testTextDecodingCompatibilityV1() throws IOException {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> want = (List<Map<String, Object>>) expected("text");
    assertThat(YjsInterop.deltaAsMaps(load("text").getText("text").toDelta())).isEqualTo(want);
  }
}
