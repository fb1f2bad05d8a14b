using TorchSharp;

namespace Tcd.Models.Tests.Runtime;

/// <summary>How many tensor handles this thread holds, for tests that check that nothing is left behind.</summary>
/// <remarks>
/// TorchSharp's <see cref="DisposeScopeManager.Statistics"/> of this thread: tensors created minus tensors disposed, in
/// and outside dispose scopes. A handle left to the garbage collector stays counted (its finalizer, if it ever runs,
/// counts on the finalizer's thread), so the count sees exactly the handles that nothing disposes. (The process-wide
/// <c>Tensor.TotalCount</c> does not serve: it also moves for parameters whose handle is moved out of another tensor.)
/// The code under test runs on the caller's thread and the assembly runs its tests one at a time, so nothing else moves it.
/// </remarks>
internal static class ThreadTensors
{
    public static long Live => DisposeScopeManager.Statistics.ThreadTotalLiveCount;
}
