package dev.tracker;

import dev.tracker.spi.TrackingBackend;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run that {@code Tracker.Builder.resumeRun(id)} names, found in the backend when the first
 * top-level run starts (the one read on the caller's thread; a resume happens once).
 *
 * <ul>
 *   <li>A run with that id: resumed in its own experiment, with the root seed it recorded.
 *   <li>Else a run whose id starts with it, when exactly one does (the 8 characters {@code tracker
 *       runs} shows): that run. Several: refused, listing them.
 *   <li>Else a full id (32 lowercase hex characters): a new run with that id, so that a job can
 *       choose its run's id and resume it after a restart.
 *   <li>Else: refused, naming the id and where it was looked for.
 * </ul>
 *
 * A backend that cannot read runs resumes the id as given, as does one that fails to answer (the
 * backend reports its failure at flush).
 *
 * @param id the id of the run to resume
 * @param experimentName the run's own experiment (the one asked for when the run is new)
 * @param seed the root seed the run recorded, or null
 * @param params the params the run recorded (empty when they could not be read): params are
 *     write-once, so a resumed run refuses another value for one at the call
 */
record ResumedRun(String id, String experimentName, Long seed, Map<String, String> params) {
  ResumedRun(String id, String experimentName) {
    this(id, experimentName, null, Map.of());
  }

  private static final Logger log = LoggerFactory.getLogger(Tracker.class);

  /** The id of a new run: 32 random lowercase hex characters, like MLflow's run ids. */
  static String newId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return String.format("%016x%016x", r.nextLong(), r.nextLong());
  }

  /**
   * The run a pending resume names, for the first top-level run to start; null when none is
   * pending or another thread's run took it. A refused id stays pending.
   *
   * @throws IllegalArgumentException as {@link #resolve} does
   */
  static ResumedRun claim(AtomicReference<String> pending, TrackingBackend backend,
      String experimentName, Long seed) {
    String ref = pending.get();
    if (ref == null) {
      return null;
    }
    ResumedRun resumed = resolve(backend, ref, experimentName);
    if (seed != null && resumed.seed() != null && !seed.equals(resumed.seed())) {
      // the run stays to resume: nothing was created
      throw new IllegalArgumentException("param 'seed' of resumed run " + resumed.id() + " was"
          + " already logged with value '" + resumed.seed() + "' and cannot be changed to '"
          + seed + "' (params are write-once); leave out seed(..) to go on with "
          + resumed.seed());
    }
    return pending.compareAndSet(ref, null) ? resumed : null;
  }

  /**
   * Finds the run {@code ref} names.
   *
   * @throws IllegalArgumentException when no run or several runs match and {@code ref} is not a
   *     full id
   */
  static ResumedRun resolve(TrackingBackend backend, String ref, String experimentName) {
    try {
      RunReader.Lookup lookup = RunReader.lookup(backend, ref);
      if (lookup.exact().isPresent()) {
        return of(ref, lookup.exact().get(), experimentName);
      }
      if (RunReader.FULL_ID.matcher(ref).matches()) {
        return new ResumedRun(ref, experimentName);
      }
      List<RunInfo> matches = lookup.matches();
      List<String> experiments = lookup.experiments();
      if (matches.size() == 1) {
        String id = matches.get(0).id();
        return backend.readRun(id).map(r -> of(id, r, experimentName))
            .orElse(new ResumedRun(id, matches.get(0).experimentName()));
      }
      if (matches.isEmpty()) {
        throw new IllegalArgumentException("resumeRun id '" + ref + "' names no run in "
            + backend.describe() + ": no run has that id or an id starting with it (looked in "
            + (experiments.isEmpty() ? "no experiment" : "experiments "
                + String.join(", ", experiments)) + "); give the id `tracker runs` shows, or a"
            + " new 32-hex-character id to start a run with that id");
      }
      throw new IllegalArgumentException("resumeRun id '" + ref + "' matches " + matches.size()
          + " runs in " + backend.describe() + ": " + lookup.listed() + "; give more of the id");
    } catch (UnsupportedOperationException cannotRead) {
      return new ResumedRun(ref, experimentName);
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      log.debug("could not look up resumed run {}: {}", ref, e.toString());
      return new ResumedRun(ref, experimentName);
    }
  }

  private static ResumedRun of(String id, RunData run, String asked) {
    String own = run.info().experimentName();
    String seed = run.params().get(Seeds.SEED_PARAM);
    Long recorded = null;
    if (seed != null) {
      try {
        recorded = Long.valueOf(seed);
      } catch (NumberFormatException notALong) {
        log.debug("resumed run {} has a seed param that is not a long: '{}'", id, seed);
      }
    }
    if (own != null && !own.equals(asked)) {
      log.warn("resuming run {} in its own experiment '{}', not '{}'", id, own, asked);
    }
    return new ResumedRun(id, own != null ? own : asked, recorded, Map.copyOf(run.params()));
  }
}
