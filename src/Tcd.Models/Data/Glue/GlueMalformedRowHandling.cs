namespace Tcd.Models.Data.Glue;

/// <summary>What <see cref="GlueReader"/> does with a row it cannot read (wrong column count, unknown label, bad score).</summary>
public enum GlueMalformedRowHandling
{
    /// <summary>Throw a <see cref="GlueFormatException"/> naming the file, line and problem.</summary>
    Fail,

    /// <summary>Skip the row and record it in the <see cref="GlueReadReport"/>.</summary>
    Skip,
}
