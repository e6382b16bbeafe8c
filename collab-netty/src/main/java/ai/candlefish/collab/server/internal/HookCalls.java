package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.awareness.AwarenessChange;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where the server calls the host's {@link CollabHooks}: one typed method per hook, each isolating
 * what the hook throws so that a faulty hook cannot break a connection or a document. A failure is logged here,
 * once, with the hook's name, and otherwise ignored; only {@link #onConnect} and {@link #onAuthenticate} let an
 * {@link AuthenticationException} through, because that is how a host refuses a connection.
 *
 * <p>An {@link Error} thrown by a hook (an {@code AssertionError}, a {@code LinkageError} from a missing class) is
 * isolated too: it is the host's code that failed, not the server (a hook that walks a hostile document may
 * overflow its stack). A {@link VirtualMachineError} other than {@link StackOverflowError} (out of memory, internal
 * error) is rethrown ({@link ServerRuntime#rethrowIfFatal}), since nothing can be relied on after it.
 *
 * <p>Thread-safe if the hooks are (which {@link CollabHooks} requires). Each method runs on the caller's thread;
 * the callers choose the thread the {@link CollabHooks} Javadoc promises.
 */
public final class HookCalls {
  private static final Logger log = LoggerFactory.getLogger(HookCalls.class);

  private final CollabHooks hooks;

  public HookCalls(CollabHooks hooks) {
    this.hooks = hooks;
  }

  /** {@link CollabHooks#onConnect}; rethrows its {@link AuthenticationException} (the connection is refused). */
  public void onConnect(ConnectionInfo connection) {
    try {
      hooks.onConnect(connection);
    } catch (AuthenticationException e) {
      throw e;
    } catch (RuntimeException | Error e) {
      failed("onConnect", e);
    }
  }

  /** {@link CollabHooks#onAuthenticate}; rethrows its {@link AuthenticationException} (the connection is refused). */
  public void onAuthenticate(ConnectionInfo connection, Principal principal) {
    try {
      hooks.onAuthenticate(connection, principal);
    } catch (AuthenticationException e) {
      throw e;
    } catch (RuntimeException | Error e) {
      failed("onAuthenticate", e);
    }
  }

  public void onLoad(DocumentKey key, Doc doc) {
    try {
      hooks.onLoad(key, doc);
    } catch (RuntimeException | Error e) {
      failed("onLoad", e);
    }
  }

  public void onChange(DocumentKey key, Doc doc) {
    try {
      hooks.onChange(key, doc);
    } catch (RuntimeException | Error e) {
      failed("onChange", e);
    }
  }

  public void onStore(DocumentKey key) {
    try {
      hooks.onStore(key);
    } catch (RuntimeException | Error e) {
      failed("onStore", e);
    }
  }

  public void onAwareness(DocumentKey key, AwarenessChange change) {
    try {
      hooks.onAwareness(key, change);
    } catch (RuntimeException | Error e) {
      failed("onAwareness", e);
    }
  }

  public void onStateless(DocumentKey key, ConnectionInfo connection, Principal principal, Permission permission,
      String payload) {
    try {
      hooks.onStateless(key, connection, principal, permission, payload);
    } catch (RuntimeException | Error e) {
      failed("onStateless", e);
    }
  }

  public void onUnload(DocumentKey key) {
    try {
      hooks.onUnload(key);
    } catch (RuntimeException | Error e) {
      failed("onUnload", e);
    }
  }

  public void onDisconnect(ConnectionInfo connection, Principal principal) {
    try {
      hooks.onDisconnect(connection, principal);
    } catch (RuntimeException | Error e) {
      failed("onDisconnect", e);
    }
  }

  private static void failed(String hook, Throwable e) {
    ServerRuntime.rethrowIfFatal(e);
    log.warn("hook {} threw; ignored", hook, e);
  }
}
