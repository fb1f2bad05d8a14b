namespace Tcd.Samples;

/// <summary>Reports progress on the training thread, so console lines appear in order as they happen.</summary>
internal sealed class ConsoleProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
