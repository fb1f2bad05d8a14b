using Tcd.Models.Losses;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Losses;

public class LoadBalanceLossTests
{
    [Fact]
    public void Uniform_router_probabilities_give_zero()
    {
        using var uniform = full(8, 1.0 / 8);

        var loss = LoadBalanceLoss.Compute([uniform, uniform]);

        loss.item<float>().Should().BeApproximately(0f, 1e-7f);
    }

    [Fact]
    public void Equals_the_closed_form_kl_averaged_over_layers()
    {
        double[] q1 = [0.5, 0.25, 0.125, 0.125];
        double[] q2 = [0.7, 0.1, 0.1, 0.1];
        static double Kl(double[] q) => q.Sum(p => 0.25 * (Math.Log(0.25) - Math.Log(p)));
        using var layer1 = tensor(q1.Select(v => (float)v).ToArray());
        using var layer2 = tensor(q2.Select(v => (float)v).ToArray());

        var loss = LoadBalanceLoss.Compute([layer1, layer2]);

        loss.item<float>().Should().BeApproximately((float)((Kl(q1) + Kl(q2)) / 2), 1e-6f);
        loss.item<float>().Should().BeGreaterThan(0);
    }

    [Fact]
    public void Is_differentiable_and_pushes_towards_uniform()
    {
        using var q = tensor(new float[] { 0.6f, 0.2f, 0.1f, 0.1f }).requires_grad_(true);

        LoadBalanceLoss.Compute([q]).backward();

        var gradient = q.grad!.data<float>().ToArray();
        gradient[0].Should().BeGreaterThan(gradient[2], "raising a lightly loaded expert's share lowers the loss more");
    }

    [Fact]
    public void Empty_layer_list_is_rejected()
    {
        var act = () => LoadBalanceLoss.Compute([]);

        act.Should().Throw<ArgumentException>().WithMessage("*at least one MoE layer*");
    }
}
