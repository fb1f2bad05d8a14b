namespace Tcd.Samples.Tests;

/// <summary>What a sample run ended with and printed.</summary>
internal sealed record SampleRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}
