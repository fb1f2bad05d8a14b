using Tcd.Models.Modeling;
using Tcd.Models.Tests.Interop;

namespace Tcd.Models.Tests.Modeling;

/// <summary>Houlsby adapters against the plain-Python reference (<c>tools/reference_bert.py</c>, fixture reference-adapter-cls).</summary>
public sealed class AdapterReferenceTests
{
    [Fact]
    public void A_classifier_with_adapters_reproduces_the_plain_python_reference()
    {
        var folder = FixtureFactAttribute.Folder("reference-adapter-cls");
        using var model = BertModelStore.LoadSequenceClassification(folder);
        model.Config.AdapterSize.Should().Be(8);

        FixtureLogits.AssertMatch(model, folder);
    }
}
