using System.Globalization;
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

    /// <summary><paramref name="count"/> with <paramref name="noun"/> in the singular or plural: "1 step", "3 steps", "0 steps".</summary>
    /// <param name="count">How many.</param>
    /// <param name="noun">The singular noun, or a phrase ending in one ("training example"); its plural adds an "s".</param>
    public static string Count(long count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? string.Empty : "s")}");
}
