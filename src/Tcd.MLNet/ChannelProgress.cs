using Microsoft.ML.Runtime;

namespace Tcd.MLNet;

/// <summary>Writes each progress report to an ML.NET channel (so it reaches <c>mlContext.Log</c>) and forwards it to the caller's <see cref="IProgress{T}"/>.</summary>
internal sealed class ChannelProgress<T>(IChannel channel, IProgress<T>? user) : IProgress<T>
    where T : notnull
{
    public void Report(T value)
    {
        channel.Info(MessageSensitivity.None, value.ToString() ?? string.Empty);
        user?.Report(value);
    }
}
