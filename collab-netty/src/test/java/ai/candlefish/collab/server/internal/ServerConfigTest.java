package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerConfigTest {
  private static final Authenticator AUTH = Authenticator.insecureAllowAll("t");

  @Test
  void build_withOnlyAnAuthenticator_hasTheDocumentedDefaults() {
    ServerConfig c = ServerConfig.newBuilder().authenticator(AUTH).build();
    assertThat(c.host()).isNull();
    assertThat(c.port()).isEqualTo(1234);
    assertThat(c.pathPrefix()).isEmpty();
    assertThat(c.store()).isInstanceOf(InMemoryDocumentStore.class);
    assertThat(c.maxMessageSize()).isEqualTo(16 * 1024 * 1024);
    assertThat(c.storeDebounce()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.compactAfterUpdates()).isEqualTo(500);
  }

  @Test
  void toBuilder_keepsEveryValue_andLeavesTheOriginalUnchanged() {
    ServerConfig a = ServerConfig.newBuilder().authenticator(AUTH).host("127.0.0.1").port(0).pathPrefix("collab/")
        .messageRate(5, 7).unauthenticatedLimits(Duration.ofSeconds(1), 3, 4).threads(1, 2, 3)
        .storeDebounce(Duration.ZERO).storeMaxWait(Duration.ofMillis(5)).compactAfterUpdates(9).build();
    ServerConfig b = a.toBuilder().compactAfterUpdates(10).build();

    assertThat(b).usingRecursiveComparison().ignoringFields("compactAfterUpdates").isEqualTo(a);
    assertThat(b.pathPrefix()).isEqualTo("/collab");
    assertThat(b.compactAfterUpdates()).isEqualTo(10);
    assertThat(a.compactAfterUpdates()).isEqualTo(9);
  }

  @Test
  void setters_rejectABadValue_namingIt() {
    ServerConfig.Builder b = ServerConfig.newBuilder();
    assertThatThrownBy(() -> b.maxMessageSize(10)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxMessageSize").hasMessageContaining("10");
    assertThatThrownBy(() -> b.storeDebounce(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("storeDebounce");
    assertThatThrownBy(() -> b.threads(-1, 1, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    // An hour between presence broadcasts: every cursor would vanish, and a lone y-websocket provider reconnect.
    assertThatThrownBy(() -> b.awarenessLimits(1024, Duration.ofHours(1))).isInstanceOf(
        IllegalArgumentException.class).hasMessageContaining("awareness interval must be at most 10 s");
    assertThat(ServerConfig.newBuilder().authenticator(AUTH).awarenessLimits(1024, Duration.ofSeconds(10)).build()
        .awarenessInterval()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void flushInterval_isZeroUnlessSet_andRejectsNegativeOrAboveTenMillis() {
    assertThat(ServerConfig.newBuilder().authenticator(AUTH).build().flushInterval()).isZero();
    assertThat(ServerConfig.newBuilder().authenticator(AUTH).flushInterval(Duration.ofMillis(10)).build()
        .flushInterval()).isEqualTo(Duration.ofMillis(10));
    ServerConfig.Builder b = ServerConfig.newBuilder();
    assertThatThrownBy(() -> b.flushInterval(Duration.ofNanos(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("flushInterval must be at least");
    assertThatThrownBy(() -> b.flushInterval(Duration.ofMillis(11))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("flushInterval must be at most 10 ms").hasMessageContaining("PT0.011S");
  }

  @Test
  void documentThreads_unlessSet_areTheEventLoopsOfAServerWithoutHooks() {
    assertThat(ServerConfig.newBuilder().authenticator(AUTH).build().documentThreads()).isZero();
  }

  @Test
  void documentThreads_unlessSet_areTheEventLoops_withDocumentHooksOnAPoolOfTheirOwn() {
    int cores = Runtime.getRuntime().availableProcessors();
    ServerConfig withHooks = ServerConfig.newBuilder().authenticator(AUTH).hooks(new CollabHooks() {
      @Override
      public void onChange(DocumentKey key, Doc doc) {}
    }).build();
    assertThat(withHooks.documentThreads()).isZero();
    assertThat(withHooks.hookThreads()).isEqualTo(cores);
    // Connection hooks run on a worker thread anyway; hooks that implement nothing are none.
    ServerConfig connectionHooks = ServerConfig.newBuilder().authenticator(AUTH).hooks(List.of(new CollabHooks() {
      @Override
      public void onConnect(ConnectionInfo connection) {}
    }, new CollabHooks() {})).build();
    assertThat(connectionHooks.documentThreads()).isZero();
    assertThat(connectionHooks.hookThreads()).isZero();
    assertThat(ServerConfig.newBuilder().authenticator(AUTH).build().hookThreads()).isZero();
  }

  @Test
  void hookThreads_whenTheDocumentThreadsAreSet_areNone_theDocumentsCallTheirHooksThemselves() {
    CollabHooks onStore = new CollabHooks() {
      @Override
      public void onStore(DocumentKey key) {}
    };
    assertThat(ServerConfig.newBuilder().authenticator(AUTH).hooks(onStore).threads(0, 0, 1).build().hookThreads())
        .isZero();
    assertThat(ServerConfig.newBuilder().authenticator(AUTH).hooks(onStore).threads(0, 2, 1).build().hookThreads())
        .isZero();
  }

  @Test
  void hooks_aListWithANull_isRefusedNamingIt() {
    List<CollabHooks> hooks = new ArrayList<>(List.of(CollabHooks.NONE));
    hooks.add(null);
    assertThatThrownBy(() -> ServerConfig.newBuilder().hooks(hooks)).isInstanceOf(NullPointerException.class)
        .hasMessage("hooks[1]");
  }

  @Test
  void documentThreads_whenSet_areAsSet() {
    ServerConfig onLoops = ServerConfig.newBuilder().authenticator(AUTH).hooks(new CollabHooks() {})
        .threads(0, 0, 1).build();
    assertThat(onLoops.documentThreads()).isZero();
    assertThat(ServerConfig.newBuilder().authenticator(AUTH).threads(0, 3, 1).build().documentThreads())
        .isEqualTo(3);
  }

  @Test
  void build_checksTheCombination() {
    assertThatThrownBy(() -> ServerConfig.newBuilder().build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("authenticator");
    assertThatThrownBy(() -> ServerConfig.newBuilder().authenticator(AUTH).storeDebounce(Duration.ofSeconds(5))
        .storeMaxWait(Duration.ofSeconds(1)).build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("storeMaxWait");
  }
}
