"""tenantctl: tenant files -> validated model -> Kubernetes objects -> Pulumi, plans and reports."""
