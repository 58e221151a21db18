import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from web.accounts.access import require_coordinator
from web.reorg import services
from web.reorg.forms import ReorganisationApplyForm, ReorganisationUploadForm
from web.reorg.selectors import reorganisation_preview


@login_required
def reorganise(request):
    """Upload the decision's list → preview → apply all of it (or nothing)."""
    require_coordinator(request.user)
    upload = ReorganisationUploadForm()
    context = {"form": upload}
    if request.method == "POST" and request.POST.get("action") == "apply":
        form = ReorganisationApplyForm(request.POST)
        if form.is_valid():
            try:
                done = services.reorganisation_apply(
                    actor=request.user, data=form.cleaned_data["data"], source_name=form.cleaned_data["name"]
                )
            except services.ReorganisationRefused as refused:
                messages.error(request, _("The reorganisation was refused. Nothing was changed."))
                context["issues"] = refused.issues
            else:
                messages.success(
                    request,
                    _(
                        "Reorganisation applied: %(closed)d units closed, %(opened)d opened, "
                        "%(renamed)d renamed. "
                        "Figures stay with the units that reported them."
                    )
                    % {"closed": len(done.closed), "opened": len(done.opened), "renamed": len(done.renamed)},
                )
                return redirect("orgs:tree")
        else:
            messages.error(request, _("The file was damaged on the way: upload it again."))
    elif request.method == "POST":
        upload = ReorganisationUploadForm(request.POST, request.FILES)
        context["form"] = upload
        if upload.is_valid():
            file = upload.cleaned_data["file"]
            data = file.read()
            preview = reorganisation_preview(request.user, data)
            context["preview"] = preview
            context["issues"] = preview.issues
            if preview.refused:
                messages.error(request, _("This file cannot be applied. Nothing was changed."))
            else:
                context["apply"] = ReorganisationApplyForm(
                    initial={"data": base64.b64encode(data).decode("ascii"), "name": file.name[:255]}
                )
    return render(request, "reorg/reorganise.html", context)
