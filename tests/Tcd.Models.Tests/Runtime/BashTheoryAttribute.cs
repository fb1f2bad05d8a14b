namespace Tcd.Models.Tests.Runtime;

/// <summary>A theory that runs a shell script of the repository, skipped where <see cref="BashFactAttribute"/> is.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BashTheoryAttribute : TheoryAttribute
{
    public BashTheoryAttribute() => Skip = BashFactAttribute.SkipReason;
}
