using System.Text.RegularExpressions;

namespace Tcd.Models.Runtime;

/// <summary>Turns exceptions the libraries throw for bad input into one line a person reads, for programs that print them.</summary>
public static class UserMessages
{
    /// <summary>
    /// An exception's message for a user: without the <c>(Parameter '…')</c> .NET appends to argument errors, and with
    /// .NET's range wording in plain words ("('0') must be a non-negative and non-zero value" → "('0') must be more than 0").
    /// </summary>
    public static string Readable(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Regex.Replace(
            exception.Message.Split(" (Parameter", 2)[0]
                .Replace("must be a non-negative and non-zero value", "must be more than 0", StringComparison.Ordinal)
                .Replace("must be a non-negative value", "must be 0 or more", StringComparison.Ordinal),
            "must be greater than or equal to '([^']*)'",
            "must be at least $1");
    }
}
