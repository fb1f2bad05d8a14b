namespace Tcd.Models.Data.Glue;

/// <summary>A GLUE TSV file does not have the expected layout; names the file, the 1-based line and the problem.</summary>
public sealed class GlueFormatException : FormatException
{
    /// <summary>Creates the exception; the message is <c>"&lt;path&gt;, line &lt;n&gt;: &lt;reason&gt;"</c>.</summary>
    public GlueFormatException(string filePath, int lineNumber, string reason)
        : base($"{filePath}, line {lineNumber}: {reason}")
    {
        FilePath = filePath;
        LineNumber = lineNumber;
        Reason = reason;
    }

    /// <summary>The file being read.</summary>
    public string FilePath { get; }

    /// <summary>1-based line number of the offending line.</summary>
    public int LineNumber { get; }

    /// <summary>What was wrong with the line.</summary>
    public string Reason { get; }
}
