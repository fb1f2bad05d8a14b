using Tcd.Models.Runtime;
using Tcd.Models.Tests.Data.Glue;
using TorchSharp;

namespace Tcd.Models.Tests.Runtime;

public class TorchScalarsTests
{
    [Fact]
    public void The_library_never_hands_libtorch_a_scalar_that_nothing_holds()
    {
        var root = Path.GetFullPath(Path.Combine(ShippedGlueData.Root, "..", "..", "src", "Tcd.Models"));
        var sources = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(path => (Path.GetRelativePath(root, path), File.ReadAllText(path)))
            .ToList();

        sources.Should().HaveCountGreaterThan(50);
        string.Join('\n', ImplicitScalarFinder.Find(sources)).Should().BeEmpty(
            "a scalar made by an implicit conversion can be finalized while libtorch reads it; use TorchScalars or 'using var s = x.ToScalar();'");
    }

    [Fact]
    public void The_finder_reports_implicit_conversions_and_methods_that_convert_inside_but_not_held_scalars()
    {
        const string code = """
            using TorchSharp;
            using static TorchSharp.torch;
            static class Sample
            {
                static Tensor Implicit(Tensor t) => t.mul(0.5);
                static Tensor Operator(Tensor t) => t * 2;
                static Tensor Sum(Tensor a, Tensor b) => a + b;
                static Tensor Square(Tensor t) => t.square();
                static Tensor Held(Tensor t)
                {
                    using var half = 0.5.ToScalar();
                    using var one = 1.ToScalar();
                    return t.mul(half).add(t, one).mul(t);
                }
            }
            """;

        var findings = ImplicitScalarFinder.Find([("Sample.cs", code)]);

        findings.Should().Equal("Sample.cs:5: 0.5", "Sample.cs:6: t * 2", "Sample.cs:7: a + b", "Sample.cs:8: t.square()");
    }

    [Fact]
    public void TorchSharps_own_conversions_are_found_in_its_IL()
    {
        var tensor = typeof(torch.Tensor);
        string[] unheld = [.. tensor.GetMethods().Where(method => UnheldScalarMethods.InTorchSharp.Contains(method.MetadataToken))
            .Select(method => $"{method.Name}({string.Join(", ", method.GetParameters().Select(parameter => parameter.ParameterType.Name))})")];

        unheld.Should().Contain(
                ["add(Tensor)", "add_(Tensor)", "square()", "op_Addition(Tensor, Tensor)", "op_Multiply(Tensor, Double)"],
                "TorchSharp 0.107 converts inside these (once a TorchSharp release holds them, the library may call them again)")
            .And.NotContain(["add(Tensor, Scalar)", "mul(Scalar)", "mul(Tensor)", "op_Multiply(Tensor, Scalar)"]);
    }

    [Fact]
    public void The_constants_hold_their_values()
    {
        using var values = torch.tensor(new[] { 5.0f, 7.0f });

        values.mul(TorchScalars.Zero).sum().item<float>().Should().Be(0);
        values.mul(TorchScalars.One).sum().item<float>().Should().Be(12);
        values.mul(TorchScalars.Two).sum().item<float>().Should().Be(24);
    }
}
