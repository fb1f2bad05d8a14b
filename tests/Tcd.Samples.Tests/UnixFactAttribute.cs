namespace Tcd.Samples.Tests;

/// <summary>A fact that sends a POSIX signal to a sample, so it is skipped on Windows, which has none to send.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Sends SIGTERM, which Windows does not have.";
        }
    }
}
