namespace Tcd.Models.Training;

/// <summary>When a training loop does what it does every so many steps: a progress report and its metrics row, a checkpoint.</summary>
internal static class StepSchedule
{
    /// <summary>
    /// Whether something done every <paramref name="interval"/> steps is due once step <paramref name="step"/> (counted
    /// from 1) of <paramref name="totalSteps"/> is done: at each multiple of the interval, and at the last step whether
    /// or not it is one, so that how a run ended is always reported (and saved), a run shorter than the interval too.
    /// </summary>
    public static bool IsDue(long step, long interval, long totalSteps) => step % interval == 0 || step == totalSteps;
}
