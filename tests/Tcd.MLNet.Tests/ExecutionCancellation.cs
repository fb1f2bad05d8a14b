using System.Reflection;
using Microsoft.ML;

namespace Tcd.MLNet.Tests;

/// <summary>
/// ML.NET's <c>MLContext.CancelExecution</c> is internal (AutoML calls it when a trial's time is up, and only the
/// prerelease Microsoft.ML.Experimental package makes it public); tests reach it by reflection.
/// </summary>
internal static class ExecutionCancellation
{
    private static readonly MethodInfo CancelExecution = typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes)!;

    public static void Cancel(MLContext mlContext) => CancelExecution.Invoke(mlContext, null);
}
