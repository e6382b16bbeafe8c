package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.awareness.AwarenessChange;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.spi.UpdateRefusedException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class HookCallsTest {
  private static final DocumentKey KEY = DocumentKey.of("acme", "plans");
  private static final ConnectionInfo INFO = new ConnectionInfo(1, new InetSocketAddress(0), "y-websocket", "/plans",
      Map.of(), Map.of());
  private static final Principal WHO = Principal.of("ann", "acme", Permission.WRITE);

  /** Hooks that all throw what {@code thrown} makes. */
  private static HookCalls throwing(Supplier<? extends Throwable> thrown) {
    return new HookCalls(new CollabHooks() {
      private void fail() {
        Throwable t = thrown.get();
        if (t instanceof RuntimeException r) {
          throw r;
        }
        throw (Error) t;
      }

      @Override public void onConnect(ConnectionInfo c) { fail(); }
      @Override public void onAuthenticate(ConnectionInfo c, Principal p) { fail(); }
      @Override public void onLoad(DocumentKey k, Doc d) { fail(); }
      @Override public void onChange(DocumentKey k, Doc d) { fail(); }
      @Override public void onStore(DocumentKey k) { fail(); }
      @Override public void onUnload(DocumentKey k) { fail(); }
      @Override public void onAwareness(DocumentKey k, AwarenessChange c) { fail(); }
      @Override public void onStateless(DocumentKey k, ConnectionInfo c, Principal p, Permission m, String s) { fail(); }
      @Override public void onDisconnect(ConnectionInfo c, Principal p) { fail(); }
    });
  }

  private static void callAll(HookCalls hooks) {
    Doc doc = Doc.create();
    hooks.onLoad(KEY, doc);
    hooks.onChange(KEY, doc);
    hooks.onStore(KEY);
    hooks.onUnload(KEY);
    hooks.onStateless(KEY, INFO, WHO, Permission.WRITE, "x");
    hooks.onDisconnect(INFO, WHO);
  }

  @Test
  void everyHook_isolatesARuntimeExceptionOrAnError() {
    assertThatCode(() -> callAll(throwing(() -> new IllegalStateException("bug in the host")))).doesNotThrowAnyException();
    assertThatCode(() -> callAll(throwing(() -> new AssertionError("bug in the host")))).doesNotThrowAnyException();
    assertThatCode(() -> throwing(NoClassDefFoundError::new).onConnect(INFO)).doesNotThrowAnyException();
    assertThatCode(() -> throwing(IllegalStateException::new).onAuthenticate(INFO, WHO)).doesNotThrowAnyException();
    assertThatCode(() -> throwing(StackOverflowError::new).onStore(KEY)).doesNotThrowAnyException();
  }

  @Test
  void everyHook_rethrowsAFatalVirtualMachineError() {
    HookCalls hooks = throwing(() -> new OutOfMemoryError("full"));
    assertThatThrownBy(() -> hooks.onStore(KEY)).isInstanceOf(OutOfMemoryError.class);
    assertThatThrownBy(() -> hooks.onConnect(INFO)).isInstanceOf(OutOfMemoryError.class);
  }

  @Test
  void connectionHooks_letARefusalThrough() {
    HookCalls hooks = throwing(() -> new AuthenticationException("banned"));
    assertThatThrownBy(() -> hooks.onConnect(INFO)).isInstanceOf(AuthenticationException.class).hasMessage("banned");
    assertThatThrownBy(() -> hooks.onAuthenticate(INFO, WHO)).isInstanceOf(AuthenticationException.class);
    assertThatCode(() -> hooks.onStore(KEY)).doesNotThrowAnyException();
  }

  @Test
  void hooks_areCalledWithTheirArguments() {
    StringBuilder seen = new StringBuilder();
    HookCalls hooks = new HookCalls(new CollabHooks() {
      @Override public void onStore(DocumentKey k) { seen.append("store ").append(k.name()); }
    });
    hooks.onStore(KEY);
    assertThat(seen).hasToString("store plans");
  }

  @Test
  void severalHooks_areCalledInOrder_aFailureStopsNone_aRefusalStopsTheOnesAfterIt() {
    List<String> heard = new ArrayList<>();
    CollabHooks first = new CollabHooks() {
      @Override public void onStore(DocumentKey k) { heard.add("first"); throw new IllegalStateException("bug"); }
      @Override public void onConnect(ConnectionInfo c) { heard.add("first"); throw new AuthenticationException("no"); }
    };
    CollabHooks second = new CollabHooks() {
      @Override public void onStore(DocumentKey k) { heard.add("second"); }
      @Override public void onConnect(ConnectionInfo c) { heard.add("second"); }
    };
    HookCalls hooks = new HookCalls(List.of(first, second));
    hooks.onStore(KEY);
    assertThat(heard).containsExactly("first", "second");
    heard.clear();
    assertThatThrownBy(() -> hooks.onConnect(INFO)).isInstanceOf(AuthenticationException.class);
    assertThat(heard).containsExactly("first");
  }

  /** What a document asks before it hands a hook call to the hooks' pool. */
  @Test
  void wants_theDocumentHooksThatOneOfTheHooksImplements() {
    HookCalls hooks = new HookCalls(List.of(new CollabHooks() {
      @Override public void onConnect(ConnectionInfo c) {}
    }, new CollabHooks() {
      @Override public void onChange(DocumentKey k, Doc d) {}
    }, CollabHooks.NONE));
    assertThat(EnumSet.allOf(HookCalls.DocumentHook.class)).filteredOn(hooks::wants)
        .containsExactly(HookCalls.DocumentHook.CHANGE);
    assertThat(hooks.wantsDocumentHooks()).isTrue();
    assertThat(new HookCalls(CollabHooks.NONE).wantsDocumentHooks()).isFalse();
    assertThat(EnumSet.allOf(HookCalls.DocumentHook.class)).allMatch(throwing(IllegalStateException::new)::wants);
  }

  @Test
  void beforeUpdate_answersTheFirstRefusal_andAHookThatThrowsRefusesToo() {
    Updates.ChangedRoots roots = new Updates.ChangedRoots(Set.of("totals"), true);
    List<String> heard = new ArrayList<>();
    CollabHooks lets = new CollabHooks() {
      @Override public void beforeUpdate(DocumentKey k, ConnectionInfo c, Principal p, Updates.ChangedRoots r) {
        heard.add("lets " + r.names());
      }
    };
    CollabHooks refuses = new CollabHooks() {
      @Override public void beforeUpdate(DocumentKey k, ConnectionInfo c, Principal p, Updates.ChangedRoots r) {
        throw new UpdateRefusedException("the server's only");
      }
    };
    CollabHooks after = new CollabHooks() {
      @Override public void beforeUpdate(DocumentKey k, ConnectionInfo c, Principal p, Updates.ChangedRoots r) {
        heard.add("after");
      }
    };
    HookCalls hooks = new HookCalls(List.of(lets, refuses, after));
    assertThat(hooks.checksUpdates()).isTrue();
    assertThat(hooks.wantsDocumentHooks()).as("called on the document's thread: no hook pool for it").isFalse();
    assertThat(hooks.beforeUpdate(KEY, INFO, WHO, roots)).isEqualTo("the server's only");
    assertThat(heard).containsExactly("lets [totals]");

    HookCalls buggy = new HookCalls(new CollabHooks() {
      @Override public void beforeUpdate(DocumentKey k, ConnectionInfo c, Principal p, Updates.ChangedRoots r) {
        throw new AssertionError("bug in the host");
      }
    });
    assertThat(buggy.beforeUpdate(KEY, INFO, WHO, roots)).isEqualTo("update refused");
    assertThat(new HookCalls(List.of(lets)).beforeUpdate(KEY, INFO, WHO, roots)).isNull();
    assertThat(new HookCalls(CollabHooks.NONE).checksUpdates()).isFalse();
  }
}
