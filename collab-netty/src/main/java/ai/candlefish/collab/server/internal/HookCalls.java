package ai.candlefish.collab.server.internal;

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
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where the server calls the host's {@link CollabHooks}: one typed method per hook, each isolating
 * what the hook throws so that a faulty hook cannot break a connection or a document. A failure is logged here,
 * once, with the hook's name, and otherwise ignored; only {@link #onConnect} and {@link #onAuthenticate} let an
 * {@link AuthenticationException} through, because that is how a host refuses a connection, and
 * {@link #beforeUpdate} answers whether a hook refused the update.
 *
 * <p>An {@link Error} thrown by a hook (an {@code AssertionError}, a {@code LinkageError} from a missing class) is
 * isolated too: it is the host's code that failed, not the server (a hook that walks a hostile document may
 * overflow its stack). A {@link VirtualMachineError} other than {@link StackOverflowError} (out of memory, internal
 * error) is rethrown ({@link ServerRuntime#rethrowIfFatal}), since nothing can be relied on after it.
 *
 * <p>Several hooks are called in the order given, each isolated from the others; a refusal from one stops the ones
 * after it. {@link #wants} says which document hooks any of them implements (overrides), so that a document does
 * not hand a call that does nothing to another thread.
 *
 * <p>Thread-safe if the hooks are (which {@link CollabHooks} requires). Each method runs on the caller's thread;
 * the callers choose the thread the {@link CollabHooks} Javadoc promises.
 */
public final class HookCalls {
  private static final Logger log = LoggerFactory.getLogger(HookCalls.class);

  /** The hooks a document calls (the others are the connection hooks). */
  public enum DocumentHook {
    LOAD("onLoad", DocumentKey.class, Doc.class),
    CHANGE("onChange", DocumentKey.class, Doc.class),
    STORE("onStore", DocumentKey.class),
    AWARENESS("onAwareness", DocumentKey.class, AwarenessChange.class),
    STATELESS("onStateless", DocumentKey.class, ConnectionInfo.class, Principal.class, Permission.class,
        String.class),
    UNLOAD("onUnload", DocumentKey.class);

    private final String method;
    private final Class<?>[] parameters;

    DocumentHook(String method, Class<?>... parameters) {
      this.method = method;
      this.parameters = parameters;
    }

    /** Whether {@code hooks} implements this hook rather than inheriting {@link CollabHooks}'s empty default. */
    boolean implementedBy(CollabHooks hooks) {
      return implemented(hooks, method, parameters);
    }
  }

  private final CollabHooks[] hooks;
  private final Set<DocumentHook> wanted;
  /** Whether any of the hooks implements {@code beforeUpdate} (called on the document's own thread, so no pool). */
  private final boolean checksUpdates;

  public HookCalls(CollabHooks hooks) {
    this(List.of(hooks));
  }

  /** @param hooks called in this order */
  public HookCalls(List<CollabHooks> hooks) {
    this.hooks = hooks.toArray(new CollabHooks[0]);
    EnumSet<DocumentHook> wanted = EnumSet.noneOf(DocumentHook.class);
    for (DocumentHook hook : DocumentHook.values()) {
      for (CollabHooks h : this.hooks) {
        if (hook.implementedBy(h)) {
          wanted.add(hook);
        }
      }
    }
    this.wanted = wanted;
    boolean checks = false;
    for (CollabHooks h : this.hooks) {
      checks |= implemented(h, "beforeUpdate", DocumentKey.class, ConnectionInfo.class, Principal.class,
          Updates.ChangedRoots.class);
    }
    this.checksUpdates = checks;
  }

  private static boolean implemented(CollabHooks hooks, String method, Class<?>... parameters) {
    try {
      return hooks.getClass().getMethod(method, parameters).getDeclaringClass() != CollabHooks.class;
    } catch (NoSuchMethodException | SecurityException e) {
      return true; // cannot tell: called as if it were
    }
  }

  /** Whether any of the hooks implements {@link CollabHooks#beforeUpdate} (else every update is let through). */
  public boolean checksUpdates() {
    return checksUpdates;
  }

  /**
   * {@link CollabHooks#beforeUpdate}, each hook in turn until one refuses.
   *
   * @return null if every hook let the update through, else the reason to tell its sender: an
   *     {@link UpdateRefusedException}'s message, or "update refused" for anything else a hook threw (logged here)
   */
  public @Nullable String beforeUpdate(DocumentKey key, ConnectionInfo connection, Principal principal,
      Updates.ChangedRoots roots) {
    for (CollabHooks h : hooks) {
      try {
        h.beforeUpdate(key, connection, principal, roots);
      } catch (UpdateRefusedException e) {
        return e.getMessage() == null ? "update refused" : e.getMessage();
      } catch (RuntimeException | Error e) {
        ServerRuntime.rethrowIfFatal(e);
        log.warn("hook beforeUpdate threw; the update is refused", e);
        return "update refused";
      }
    }
    return null;
  }

  /** Whether any of the hooks implements {@code hook} (else calling it does nothing). */
  public boolean wants(DocumentHook hook) {
    return wanted.contains(hook);
  }

  /** Whether any of the hooks implements a document hook. */
  public boolean wantsDocumentHooks() {
    return !wanted.isEmpty();
  }

  /** {@link CollabHooks#onConnect}; rethrows its {@link AuthenticationException} (the connection is refused). */
  public void onConnect(ConnectionInfo connection) {
    each("onConnect", true, h -> h.onConnect(connection));
  }

  /** {@link CollabHooks#onAuthenticate}; rethrows its {@link AuthenticationException} (the connection is refused). */
  public void onAuthenticate(ConnectionInfo connection, Principal principal) {
    each("onAuthenticate", true, h -> h.onAuthenticate(connection, principal));
  }

  public void onLoad(DocumentKey key, Doc doc) {
    each("onLoad", false, h -> h.onLoad(key, doc));
  }

  public void onChange(DocumentKey key, Doc doc) {
    each("onChange", false, h -> h.onChange(key, doc));
  }

  public void onStore(DocumentKey key) {
    each("onStore", false, h -> h.onStore(key));
  }

  public void onAwareness(DocumentKey key, AwarenessChange change) {
    each("onAwareness", false, h -> h.onAwareness(key, change));
  }

  public void onStateless(DocumentKey key, ConnectionInfo connection, Principal principal, Permission permission,
      String payload) {
    each("onStateless", false, h -> h.onStateless(key, connection, principal, permission, payload));
  }

  public void onUnload(DocumentKey key) {
    each("onUnload", false, h -> h.onUnload(key));
  }

  public void onDisconnect(ConnectionInfo connection, Principal principal) {
    each("onDisconnect", false, h -> h.onDisconnect(connection, principal));
  }

  /** Calls each hook in turn, isolating what it throws; {@code refusable}: an {@link AuthenticationException} ends it. */
  private void each(String hook, boolean refusable, Consumer<CollabHooks> call) {
    for (CollabHooks h : hooks) {
      try {
        call.accept(h);
      } catch (AuthenticationException e) {
        if (refusable) {
          throw e;
        }
        failed(hook, e);
      } catch (RuntimeException | Error e) {
        failed(hook, e);
      }
    }
  }

  private static void failed(String hook, Throwable e) {
    ServerRuntime.rethrowIfFatal(e);
    log.warn("hook {} threw; ignored", hook, e);
  }
}
