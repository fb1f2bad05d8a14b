using Tcd.Models.Xpert;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Xpert;

public sealed class TensorModesTests
{
    [Fact]
    public void Unfold_PutsModeFibresInRows_AndFoldInvertsIt()
    {
        using var scope = NewDisposeScope();
        var x = arange(2 * 3 * 4, dtype: ScalarType.Float64).reshape(2, 3, 4);

        var unfolded = TensorModes.Unfold(x, 1);

        unfolded.shape.Should().Equal(3, 8);
        // Row j holds x[:, j, :] with the last mode varying fastest.
        unfolded[1].data<double>().ToArray().Should().Equal(4, 5, 6, 7, 16, 17, 18, 19);
        TensorModes.Fold(unfolded, 1, [2, 3, 4]).allclose(x, rtol: 0, atol: 0).Should().BeTrue();
    }

    [Fact]
    public void ModeProduct_MatchesEinsum()
    {
        using var scope = NewDisposeScope();
        var x = TuckerTestData.Gaussian([6, 10, 8], seed: 1);
        var m = TuckerTestData.Gaussian([5, 10], seed: 2);

        var product = TensorModes.ModeProduct(x, m, 1);

        product.shape.Should().Equal(6, 5, 8);
        TuckerTestData.RelativeDistance(einsum("ijk,pj->ipk", x, m), product).Should().BeLessThan(1e-12);
    }

    [Fact]
    public void ModeProduct_RejectsMismatchedMatrix()
    {
        using var scope = NewDisposeScope();
        var x = zeros(6, 10, 8);

        var act = () => TensorModes.ModeProduct(x, zeros(5, 6), 1);

        act.Should().Throw<ArgumentException>().WithMessage("*[J, 10]*mode 1 has size 10*[5, 6]*");
    }
}
