package dev.tracker;

import dev.tracker.internal.Validation;
import dev.tracker.spi.ModelStore;
import dev.tracker.spi.Secrets;
import dev.tracker.spi.TrackingBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The model registry of a tracker's backend: models made by runs, registered under a name as
 * numbered versions, and aliases (such as {@code champion}) that point at versions. Obtained
 * from {@link Tracker#models()}.
 *
 * <pre>{@code
 * ModelRegistry models = tracker.models();
 * ModelVersion v = models.register("iris", run, "model");      // version 1, 2, …
 * if (better) {
 *   models.setAlias("iris", "champion", v.version());
 * }
 * ModelVersion champion = models.get("iris", "champion");       // or models.get("iris", "3")
 * Path files = models.download("iris", "champion", Path.of("serving"));
 * RunData source = tracker.run(champion.runId());               // the run that made it
 * }</pre>
 *
 * <p>A version points at the model's files where the run logged them; nothing is copied. The
 * file backend keeps the registry in {@code models/<name>/} beside the experiment folders (one
 * {@code version-N.yaml} per version and {@code aliases.yaml}); the MLflow backend uses the
 * server's Model Registry. Lineage goes both ways: a version names its run ({@link
 * ModelVersion#runId()}), and the run's tag {@value #LINEAGE_TAG} lists the versions made from it
 * ({@code iris/1,iris/2}).
 *
 * <p>Every method works on the caller's thread and talks to the backend directly; arguments are
 * checked first, and a model, version, alias, run or artifact that does not exist is an {@link
 * IllegalArgumentException} that names it. Backend failures are {@link TrackerException}s.
 * Thread-safe.
 */
public final class ModelRegistry {
  /** The run tag that lists the model versions made from the run, e.g. {@code iris/1,iris/2}. */
  public static final String LINEAGE_TAG = "tracker.registeredModels";
  /** The longest model name, in characters. */
  public static final int MAX_NAME_LENGTH = 256;
  /** The longest alias, in characters (MLflow's limit). */
  public static final int MAX_ALIAS_LENGTH = 255;

  private static final Pattern ALIAS = Pattern.compile("[\\w-]+",
      Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern NUMBER = Pattern.compile("[0-9]+");
  private static final Pattern VERSION_ALIAS = Pattern.compile("[vV][0-9]+");
  /** Registrations in this JVM one at a time, so that no run's lineage tag loses an entry. */
  private static final Object REGISTERING = new Object();

  private final Tracker tracker;
  private final TrackingBackend backend;
  private final Duration deliveryTimeout;

  ModelRegistry(Tracker tracker, TrackingBackend backend, Duration deliveryTimeout) {
    this.tracker = tracker;
    this.backend = backend;
    this.deliveryTimeout = deliveryTimeout;
  }

  /**
   * Registers the model a live (or ended) run logged at {@code artifactPath} as the next version
   * of model {@code name}, creating the model when it has none. First flushes the run's tracker,
   * waiting for delivery up to this tracker's close timeout ({@link
   * Tracker.Builder#closeTimeout(Duration)}), so that the run and its artifact are on the backend.
   *
   * @param name the model's name: not blank, at most {@value #MAX_NAME_LENGTH} characters, no
   *     comma (the lineage tag separates versions with commas)
   * @param run the run that logged the model
   * @param artifactPath the artifact file or folder of the model, as logged ({@code "model"})
   * @return the new version, with no aliases
   * @throws IllegalArgumentException when the name or path is invalid, or the run has no such
   *     artifact
   * @throws TrackerException when the run's records are not delivered to the server within the
   *     timeout, or the backend fails
   * @throws UnsupportedOperationException when the backend has no model registry
   */
  public ModelVersion register(String name, Run run, String artifactPath) {
    checkNewName(name);
    if (run == null) {
      throw new IllegalArgumentException("run must not be null");
    }
    checkPath(artifactPath);
    Tracker owner = run.experiment().tracker();
    FlushResult flushed = owner.flush(deliveryTimeout);
    if (flushed != FlushResult.DELIVERED) {
      throw new TrackerException("cannot register model '" + name + "' from run " + run.id()
          + ": the run's records are not delivered to " + owner.uri() + " after "
          + deliveryTimeout + " (" + owner.backlog().describe() + "); register it once the"
          + " server has them");
    }
    return register(name, run.id(), artifactPath);
  }

  /**
   * Registers the model that a run already on the backend logged at {@code artifactPath} as the
   * next version of model {@code name} (see {@link #register(String, Run, String)}). Nothing is
   * flushed: for a run that a tracker is still logging, pass the {@link Run}, or flush first.
   *
   * @param runId the run's id, a unique prefix of it, or (on a server) the server's id
   * @throws IllegalArgumentException when the name or path is invalid, no run matches, or the
   *     run has no such artifact (the message lists its artifacts)
   */
  public ModelVersion register(String name, String runId, String artifactPath) {
    tracker.checkOpen();
    checkNewName(name);
    String path = checkPath(artifactPath);
    ModelStore store = store();
    RunData run = new RunReader(backend).run(runId);
    RunReader.artifactsUnder(run, path);
    synchronized (REGISTERING) {
      return call("register model '" + name + "' from run '" + runId + "'",
          () -> store.createVersion(name, run, path));
    }
  }

  /**
   * One version, by number ({@code "3"}) or alias ({@code "champion"}).
   *
   * @throws IllegalArgumentException when the model, the version or the alias does not exist
   *     (the message lists what does), or an argument is invalid
   */
  public ModelVersion get(String name, String versionOrAlias) {
    Optional<ModelVersion> found = find(name, versionOrAlias);
    if (found.isPresent()) {
      return found.get();
    }
    String what = NUMBER.matcher(versionOrAlias).matches()
        ? "version " + Integer.parseInt(versionOrAlias) : "alias '" + versionOrAlias + "'";
    ModelStore store = store();
    throw call("read " + what + " of model '" + name + "'", () -> missing(store, name, what));
  }

  /**
   * One version, by number.
   *
   * @throws IllegalArgumentException when the model or the version does not exist
   */
  public ModelVersion get(String name, int version) {
    if (version < 1) {
      throw new IllegalArgumentException("model version must be 1 or more but was " + version);
    }
    return get(name, Integer.toString(version));
  }

  /**
   * One version, by number or alias, or empty when the model, the version or the alias does not
   * exist: {@code find("iris", "champion")} before there is a champion.
   *
   * @throws IllegalArgumentException when an argument is invalid
   */
  public Optional<ModelVersion> find(String name, String versionOrAlias) {
    tracker.checkOpen();
    checkName(name);
    if (versionOrAlias == null || versionOrAlias.isBlank()) {
      throw new IllegalArgumentException("version or alias must not be null or blank but was "
          + (versionOrAlias == null ? "null" : "'" + versionOrAlias + "'"));
    }
    ModelStore store = store();
    if (NUMBER.matcher(versionOrAlias).matches()) {
      int version = checkVersion(versionOrAlias);
      return call("read version " + version + " of model '" + name + "'",
          () -> store.version(name, version));
    }
    String alias = checkAlias(versionOrAlias);
    return call("read alias '" + alias + "' of model '" + name + "'",
        () -> store.aliased(name, alias));
  }

  /**
   * Every version of a model, oldest first.
   *
   * @throws IllegalArgumentException when there is no such model
   */
  public List<ModelVersion> list(String name) {
    tracker.checkOpen();
    checkName(name);
    ModelStore store = store();
    return call("list the versions of model '" + name + "'", () -> List.copyOf(
        store.versions(name).orElseThrow(() -> noModel(name))));
  }

  /**
   * Points {@code alias} at {@code version}, moving it from the version it pointed at before.
   *
   * @param alias letters, digits, '_' and '-', at most {@value #MAX_ALIAS_LENGTH} characters; not
   *     {@code latest}, {@code v<number>} or a number (those name versions)
   * @throws IllegalArgumentException when the alias is invalid or the model or version does not
   *     exist
   */
  public void setAlias(String name, String alias, int version) {
    checkAlias(alias);
    ModelVersion v = get(name, version);
    ModelStore store = store();
    call("set alias '" + alias + "' of model '" + name + "'", () -> {
      store.setAlias(name, alias, v.version());
      return null;
    });
  }

  /**
   * Removes an alias.
   *
   * @throws IllegalArgumentException when the alias is invalid or does not exist
   */
  public void deleteAlias(String name, String alias) {
    get(name, checkAlias(alias));
    ModelStore store = store();
    call("delete alias '" + alias + "' of model '" + name + "'", () -> {
      store.deleteAlias(name, alias);
      return null;
    });
  }

  /**
   * Copies the files of a version (by number or alias, as for {@link #get(String, String)}) into
   * {@code destination}: the contents of the model's folder, or the model's one file, replacing
   * files there.
   *
   * @return {@code destination}, absolute
   * @throws IllegalArgumentException when the version does not exist, or the destination is a
   *     file
   */
  public Path download(String name, String versionOrAlias, Path destination) {
    Path root = RunReader.destination(destination);
    ModelVersion v = get(name, versionOrAlias);
    ModelStore store = store();
    return call("download version " + v.ref() + " of model '" + name + "'", () -> {
      RunReader.copyInto(root, store.files(v), file -> store.open(v, file), "file",
          "model version " + v.ref());
      return root;
    });
  }

  @Override
  public String toString() {
    return "ModelRegistry{" + backend.describe() + "}";
  }

  // ------------------------------------------------------------------------------- checks

  private static String checkName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("model name must not be null or blank but was "
          + (name == null ? "null" : "'" + name + "'"));
    }
    if (name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("model name must be at most " + MAX_NAME_LENGTH
          + " characters but was " + name.length() + " characters");
    }
    return Validation.wellFormed("model name", name);
  }

  /** A name to register under: one the lineage tag can list ({@code name/version}, by commas). */
  private static void checkNewName(String name) {
    checkName(name);
    if (name.indexOf(',') >= 0) {
      throw new IllegalArgumentException("model name must not contain ',' (the run's tag "
          + LINEAGE_TAG + " separates versions with commas) but was '" + name + "'");
    }
  }

  private static String checkPath(String artifactPath) {
    return Validation.artifactPath("artifact path", artifactPath == null ? null
        : artifactPath.replace('\\', '/').replaceAll("(?<=.)/+$", ""));
  }

  private static int checkVersion(String digits) {
    try {
      int v = Integer.parseInt(digits);
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException tooBig) {
      // falls through
    }
    throw new IllegalArgumentException("model version must be 1 to " + Integer.MAX_VALUE
        + " but was " + digits);
  }

  /** MLflow's rules for aliases ({@code _validate_model_alias_name}), and no bare numbers. */
  static String checkAlias(String alias) {
    if (alias == null || alias.isEmpty()) {
      throw new IllegalArgumentException("model alias must not be null or empty");
    }
    if (!ALIAS.matcher(alias).matches() || alias.length() > MAX_ALIAS_LENGTH) {
      throw new IllegalArgumentException("model alias must be letters, digits, '_' and '-', at"
          + " most " + MAX_ALIAS_LENGTH + " characters, but was '" + alias + "'");
    }
    if (alias.toLowerCase(Locale.ROOT).equals("latest")) {
      throw new IllegalArgumentException("model alias '" + alias + "' is reserved: 'latest'"
          + " (in any case) is MLflow's name for the newest version");
    }
    if (VERSION_ALIAS.matcher(alias).matches() || NUMBER.matcher(alias).matches()) {
      throw new IllegalArgumentException("model alias '" + alias + "' is reserved: it names a"
          + " version");
    }
    return alias;
  }

  // ------------------------------------------------------------------------------- internals

  private ModelStore store() {
    return backend.modelStore().orElseThrow(() -> new UnsupportedOperationException(
        backend.describe() + " has no model registry"));
  }

  /** Why a version or alias was not found: no such model, or what the model has. */
  private IllegalArgumentException missing(ModelStore store, String name, String what)
      throws IOException {
    Optional<List<ModelVersion>> versions = store.versions(name);
    if (versions.isEmpty()) {
      return noModel(name);
    }
    List<String> numbers = new ArrayList<>();
    List<String> aliases = new ArrayList<>();
    for (ModelVersion v : versions.get()) {
      numbers.add(Integer.toString(v.version()));
      for (String a : v.aliases()) {
        aliases.add(a + " (" + v.version() + ")");
      }
    }
    return new IllegalArgumentException("model '" + name + "' has no " + what + "; its versions: "
        + (numbers.isEmpty() ? "none" : String.join(", ", numbers)) + "; its aliases: "
        + (aliases.isEmpty() ? "none" : String.join(", ", aliases)));
  }

  private IllegalArgumentException noModel(String name) {
    return new IllegalArgumentException("no model '" + name + "' in " + backend.describe());
  }

  private interface Call<T> {
    T run() throws IOException;
  }

  private <T> T call(String what, Call<T> call) {
    try {
      return call.run();
    } catch (IOException | UncheckedIOException e) {
      throw new TrackerException("cannot " + what + " in " + backend.describe() + ": "
          + Secrets.redact(String.valueOf(e.getMessage())), e);
    }
  }
}
